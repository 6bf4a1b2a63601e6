import Foundation
import Testing
import VigilPrognosis
import VigilTestSupport

@Suite struct RunFileReaderTests {
    let csv = RunFileReader(format: .csv, settingColumns: ["setting"])

    @Test func readsTheCMAPSSLayoutAsRunsToFailure() throws {
        let line = { (unit: Int, cycle: Int) in
            "\(unit) \(cycle) 0.0 0.0 100.0 "
                + (1...21).map { "\(Double($0) + Double(cycle) / 10)" }.joined(separator: " ")
        }
        let text = [line(1, 1), line(1, 2), line(2, 1)].joined(separator: "\n") + "\n"
        let histories = try RunFileReader().parse(text, file: "train_FD00X.txt")
        #expect(histories.units.map(\.unit) == ["1", "2"])
        #expect(histories.units.map(\.count) == [2, 1])
        #expect(histories.units.allSatisfy { $0.failed })
        #expect(histories.columns.count == 24)
        #expect(histories.settings == ["setting1", "setting2", "setting3"])
        #expect(histories.stepUnit == "cycle")
    }

    @Test func aCSVUnitWithoutAFailureRowIsRightCensored() throws {
        let fleet = SyntheticFleet(count: 3, seed: 1)
        let text = fleet.csv(cutAt: { $0.id == 2 ? 20 : nil })
        let histories = try csv.parse(text, file: "fleet.csv")
        #expect(histories.units.map(\.failed) == [true, false, true])
        #expect(histories.units[1].count == 20)
        #expect(histories.columns == ["setting", "s1", "s2", "s3", "s4"])
        #expect(histories.stepUnit == "row")
    }

    @Test func readingFilesJoinsTheirUnitsAndDigestsTheirBytes() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.csv").path
        let b = directory.appendingPathComponent("b.csv").path
        try SyntheticFleet(count: 2, seed: 1).csv().write(toFile: a, atomically: true, encoding: .utf8)
        try SyntheticFleet(count: 2, seed: 2).csv().write(toFile: b, atomically: true, encoding: .utf8)
        let joined = try csv.read([a, b])
        #expect(joined.units.map(\.unit) == ["a.csv:1", "a.csv:2", "b.csv:1", "b.csv:2"])
        #expect(joined.digest.hasPrefix("sha256:") && joined.digest.count == 7 + 64)
        #expect(try csv.read([a, b]).digest == joined.digest)
        #expect(try csv.read([b, a]).digest != joined.digest)
    }

    /// Every kind of bad file is refused with its own reason, naming the file and the line.
    @Test(arguments: [
        ("unit,time,setting,s1\n1,1,0,x\n", "fleet.csv:2: column s1: 'x' is not a finite number"),
        ("unit,time,setting,s1\n1,1,0,nan\n", "fleet.csv:2: column s1: 'nan' is not a finite number"),
        ("unit,time,setting,s1\n1,1,0\n", "fleet.csv:2: 3 fields, expected 4"),
        ("unit,time,setting,s1\n1,2,0,1\n1,1,0,1\n", "fleet.csv:3: unit 1: time does not increase"),
        ("unit,time,setting,s1,failure\n1,1,0,1,1\n1,2,0,1,0\n", "fleet.csv:3: unit 1 has rows after its failure"),
        ("unit,clock,setting,s1\n1,1,0,1\n", "fleet.csv: no column 'time'"),
        ("unit,time,setting,s1,s1\n", "fleet.csv: column 's1' appears twice"),
        ("unit,time,setting,s1\n", "fleet.csv: no data rows"),
    ])
    func aBadFileIsRefusedWithItsOwnReason(_ text: String, _ reason: String) {
        #expect(throws: RULDataError.self) { try csv.parse(text, file: "fleet.csv") }
        do {
            _ = try csv.parse(text, file: "fleet.csv")
        } catch {
            #expect(error.description.hasPrefix(reason), "\(error.description)")
        }
    }

    @Test func aMissingFileIsNamed() {
        do {
            _ = try csv.read(["/nonexistent/fleet.csv"])
            Issue.record("read a missing file")
        } catch {
            #expect(error.description == "/nonexistent/fleet.csv: cannot read: no such file")
        }
    }
}
