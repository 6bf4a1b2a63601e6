import Foundation
import Testing
import VigilCore
import VigilReplay

/// Reading the replay inputs: NAB, SKAB and generic CSV, and every way a file can be unusable.
@Suite struct ReplayTableTests {
    @Test func readsNABsTimestampValueRows() throws {
        let text = "timestamp,value\n2014-07-01 00:00:00,10844\n2014-07-01 00:30:00,8127.5\n"
        let table = try ReplayTable.parse(text, format: .nab, file: "nyc.csv")
        #expect(table.columns == ["value"])
        #expect(table.timeTexts == ["2014-07-01 00:00:00", "2014-07-01 00:30:00"])
        #expect(table.values == [[10844], [8127.5]])
        #expect(table.times[1].milliseconds - table.times[0].milliseconds == 1_800_000)
    }

    @Test func readsSKABWithoutItsLabelColumns() throws {
        let text = """
            datetime;A;B;anomaly;changepoint
            2020-03-09 10:14:33;0.5;1;0.0;0.0
            2020-03-09 10:14:34;0.6;2;1.0;1.0

            """
        let table = try ReplayTable.parse(text, format: .skab, file: "0.csv")
        #expect(table.timeColumn == "datetime")
        #expect(table.columns == ["A", "B"])
        #expect(table.values == [[0.5, 1], [0.6, 2]])
    }

    @Test func readsGenericFilesWithQuotesEmptyCellsAndEpochSeconds() throws {
        let text = "t,\"flow, l/s\",temp\n1700000000,\"1.5\",\n1700000001,2,20\n"
        let table = try ReplayTable.parse(
            text,
            format: .generic(timeColumn: "t", columns: [], separator: ","),
            file: "g.csv"
        )
        #expect(table.columns == ["flow, l/s", "temp"])
        #expect(table.values[0][0] == 1.5 && table.values[0][1].isNaN)
        #expect(table.times[0] == Timestamp(seconds: 1_700_000_000))
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("time,value\n2014-07-01 00:00:00,1\n", "no time column 'timestamp'"),
        ("timestamp,value\n2014-07-01 00:00:00,1,2\n", "3 fields where the header has 2"),
        ("timestamp,value\nyesterday,1\n", "unreadable time 'yesterday'"),
        ("timestamp,value\n2014-07-01 00:00:00,abc\n", "holds 'abc', not a finite number"),
        ("timestamp,value\n2014-07-01 00:00:00,nan\n", "holds 'nan', not a finite number"),
        ("timestamp,value\n", "the file has no rows"),
    ])
    func refusesAnUnusableFileWithTheReasonAndLine(_ text: String, _ message: String) {
        #expect {
            try ReplayTable.parse(text, format: .nab, file: "bad.csv")
        } throws: { error in
            guard let error = error as? ReplayError else { return false }
            return error.description.contains(message) && error.file == "bad.csv"
        }
    }

    @Test func namesTheLineOfABadRow() {
        let text = "timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:05:00,x\n"
        #expect {
            try ReplayTable.parse(text, format: .nab, file: "bad.csv")
        } throws: { error in
            (error as? ReplayError)?.line == 3
        }
    }
}

/// Reading a file line by line, with a bound on a line (issue 12).
@Suite struct ReplayFileTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsAFileAsParseReadsItsText() throws {
        let text = "timestamp,value\r\n2014-07-01 00:00:00,1\r\n\r\n2014-07-01 00:30:00,2"
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try ReplayTable.read(path: path, format: .nab)
        #expect(read.values == [[1], [2]])
        #expect(read.timeTexts == ["2014-07-01 00:00:00", "2014-07-01 00:30:00"])
    }

    @Test func refusesALineLongerThanTheBoundNamingItsNumberAndShowingItsStartOnly() throws {
        let path = try write(
            "timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:30:00," + String(repeating: "9", count: 3 << 20)
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try ReplayTable.read(path: path, format: .nab)
        } throws: { error in
            let text = "\(error)"
            return text.contains(":3: the line is longer than 1048576 bytes") && text.utf8.count < 400
        }
    }

    @Test func refusesTimesBeyondTheYear5138() {
        #expect(throws: ReplayError.self) {
            try ReplayTable.parse("timestamp,value\n9e15,1\n", format: .nab, file: "x.csv")
        }
    }
}
