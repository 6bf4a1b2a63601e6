import Testing
import VigilCore

@Suite struct TimestampTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(Timestamp(milliseconds: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(milliseconds: 1_795_941_120_250).iso8601 == "2026-11-29T08:32:00.250Z")
        #expect(Timestamp(milliseconds: 951_782_400_000).iso8601 == "2000-02-29T00:00:00.000Z")
    }

    @Test func parsesZonesAndFractions() {
        #expect(Timestamp(iso8601: "2026-11-29T08:32:00.250Z")?.milliseconds == 1_795_941_120_250)
        #expect(Timestamp(iso8601: "2026-11-29T09:32:00.25+01:00")?.milliseconds == 1_795_941_120_250)
        #expect(Timestamp(iso8601: "2026-11-29T08:32:00Z")?.milliseconds == 1_795_941_120_000)
    }

    @Test(arguments: [
        "2026-11-29T08:32:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "yesterday",
        "2026-11-29T08:32:00Zjunk", "2026-11-29T08:32:00.Z", "",
    ])
    func refusesAmbiguousOrInvalidText(_ text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func roundTripsThroughText() {
        for ms in stride(from: Int64(-86_400_000), through: 4_000_000_000_000, by: 123_456_789_011) {
            let time = Timestamp(milliseconds: ms)
            #expect(Timestamp(iso8601: time.iso8601) == time)
        }
    }
}

@Suite struct TimestampArithmeticTests {
    @Test func movingATimeStampSaturatesInsteadOfTrapping() {
        #expect((Timestamp(milliseconds: .max - 5) + .seconds(1)).milliseconds == .max)
        #expect((Timestamp(milliseconds: .min + 5) - .seconds(1)).milliseconds == .min)
        #expect((Timestamp(milliseconds: -2) - .seconds(Int64.max)).milliseconds == .min)
        #expect(Duration.seconds(Int64.max).wholeMilliseconds == .max)
        #expect((Timestamp(milliseconds: 1000) + .milliseconds(500)).milliseconds == 1500)
    }
}
