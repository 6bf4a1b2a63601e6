import Testing
import VigilCore

@Suite struct IntakeTests {
    let arrival = Timestamp(milliseconds: 1_795_948_320_000)

    func intake(_ format: PayloadFormat, range: ClosedRange<Double>? = nil, maxBytes: Int = 1024) throws -> Intake {
        Intake(
            routes: [
                SignalRoute(
                    pattern: try TopicPattern("plant/{asset}/{signal}"),
                    asset: "{asset}",
                    signal: "{signal}",
                    format: format,
                    range: range
                )
            ],
            limits: DecodingLimits(maxPayloadBytes: maxBytes)
        )
    }

    func reason(_ intake: Intake, _ payload: String, topic: String = "plant/p1/temp") -> RejectionReason? {
        if case .failure(let rejection) = intake.readings(topic: topic, payload: Array(payload.utf8), arrival: arrival)
        {
            return rejection.reason
        }
        return nil
    }

    @Test func plainNumberBecomesAReadingAtArrivalTime() throws {
        let result = try intake(.plain).readings(
            topic: "plant/p1/temp",
            payload: Array(" 21.5\n".utf8),
            arrival: arrival
        )
        #expect(try result.get() == [Reading(asset: "p1", signal: "temp", value: 21.5, time: arrival, stamped: false)])
    }

    @Test func jsonPathsGiveValueAndTime() throws {
        let format = PayloadFormat.json(value: try JSONPath("$.data[1].v"), time: try JSONPath("$.ts"))
        let intake = try intake(format)
        let payloads = [
            #"{"ts": 1795948319, "data": [{"v": 1}, {"v": 2.5}]}"#: Int64(1_795_948_319_000),
            #"{"ts": 1795948319500, "data": [{"v": 1}, {"v": 2.5}]}"#: 1_795_948_319_500,
            #"{"ts": "2026-11-29T10:31:59.5Z", "data": [{"v": 1}, {"v": 2.5}]}"#: 1_795_948_319_500,
        ]
        for (payload, ms) in payloads {
            let readings = try intake.readings(topic: "plant/p1/temp", payload: Array(payload.utf8), arrival: arrival)
                .get()
            #expect(readings == [Reading(asset: "p1", signal: "temp", value: 2.5, time: Timestamp(milliseconds: ms))])
        }
    }

    @Test func senmlRecordsNameTheirSignals() throws {
        let payload = #"[{"bn":"m1.","bt":1795948310,"n":"temp","v":20.5},{"n":"rpm","v":1500,"t":2}]"#
        let readings = try intake(.senml).readings(topic: "plant/p1/x", payload: Array(payload.utf8), arrival: arrival)
            .get()
        #expect(readings.map(\.signal) == ["m1.temp", "m1.rpm"])
        #expect(readings.map(\.value) == [20.5, 1500])
        #expect(readings.map(\.time.milliseconds) == [1_795_948_310_000, 1_795_948_312_000])
        #expect(readings.allSatisfy { $0.asset == "p1" })
    }

    // One test per rejection reason of the intake.

    @Test func emptyPayloadIsRejected() throws {
        #expect(reason(try intake(.plain), "") == .empty)
    }

    @Test func oversizePayloadIsRejectedBeforeParsing() throws {
        #expect(reason(try intake(.plain, maxBytes: 8), "123456789") == .oversize)
        #expect(reason(try intake(.senml, maxBytes: 8), "[" + String(repeating: "[", count: 100)) == .oversize)
    }

    @Test(arguments: ["abc", "1,5", "0x10", "1e", "--1", "1 2", "{", "12abc"])
    func malformedPlainNumberIsRejected(_ payload: String) throws {
        #expect(reason(try intake(.plain), payload) == .malformed)
    }

    @Test func invalidUTF8IsMalformed() throws {
        let result = try intake(.plain).readings(topic: "plant/p1/t", payload: [0x31, 0xFF, 0xFE], arrival: arrival)
        #expect(throws: Rejection(.malformed, "payload is not valid UTF-8")) { try result.get() }
    }

    @Test(arguments: ["{\"v\": 1", "{\"v\": 1} trailing", "not json", "{\"v\": NaN}"])
    func malformedJSONIsRejected(_ payload: String) throws {
        #expect(reason(try intake(.json(value: try JSONPath("$.v"), time: nil)), payload) == .malformed)
    }

    @Test(arguments: [
        #"{"v": 1, "v": 2}"#, #"{"a": {"v": 1}, "v": 2, "a": 3}"#, #"{"v": 1, "x": [{"k": 1, "k": 2}]}"#,
    ])
    func duplicateKeysAreMalformed(_ payload: String) throws {
        #expect(reason(try intake(.json(value: try JSONPath("$.v"), time: nil)), payload) == .malformed)
    }

    @Test func theSameKeyInDifferentObjectsOrInsideStringsIsFine() throws {
        let payload = #"{"v": 1, "meta": {"v": "a\"v\": 2, \"v"}, "list": [{"v": 1}, {"v": 2}]}"#
        #expect(reason(try intake(.json(value: try JSONPath("$.v"), time: nil)), payload) == nil)
    }

    @Test func deepNestingIsMalformedNotACrash() throws {
        let payload = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(
            reason(try intake(.json(value: try JSONPath("$.v"), time: nil), maxBytes: 300_000), payload) == .malformed
        )
    }

    @Test(arguments: [#"{"v": "NaN", "ts": 1795948319000}"#, #"{"ts": 1795948319000, "v": "-inf"}"#])
    func nonFiniteValuesBesideATimeStampAreNonFinite(_ payload: String) throws {
        #expect(
            reason(try intake(.json(value: try JSONPath("$.v"), time: try JSONPath("$.ts"))), payload) == .nonFinite
        )
    }

    @Test func missingValueIsRejected() throws {
        #expect(reason(try intake(.json(value: try JSONPath("$.v"), time: nil)), #"{"w": 1}"#) == .missingField)
    }

    @Test(arguments: [#"{"v": "12"}"#, #"{"v": true}"#, #"{"v": null}"#, #"{"v": {"x": 1}}"#, #"{"v": [1]}"#])
    func nonNumericValueIsRejected(_ payload: String) throws {
        #expect(reason(try intake(.json(value: try JSONPath("$.v"), time: nil)), payload) == .wrongType)
    }

    @Test(arguments: ["NaN", "nan", "-inf", "+Infinity", "INF", "1e400", "-1e999"])
    func nonFinitePlainValueIsRejected(_ payload: String) throws {
        #expect(reason(try intake(.plain), payload) == .nonFinite)
    }

    @Test(arguments: [#"{"v": "NaN"}"#, #"{"v": "Infinity"}"#, #"{"v": 1e999}"#])
    func nonFiniteJSONValueIsRejected(_ payload: String) throws {
        let result = reason(try intake(.json(value: try JSONPath("$.v"), time: nil)), payload)
        // Foundation's parser refuses 1e999 itself; either way it never becomes a reading.
        #expect(result == .nonFinite || result == .malformed)
    }

    @Test func outOfRangeValueIsRejected() throws {
        let intake = try intake(.plain, range: -40...150)
        #expect(reason(intake, "150.5") == .outOfRange)
        #expect(reason(intake, "-41") == .outOfRange)
        #expect(reason(intake, "150") == nil)
    }

    @Test(arguments: [
        #"{"v":1,"ts":"soon"}"#, #"{"v":1,"ts":true}"#, #"{"v":1,"ts":100}"#,
        #"{"v":1,"ts":4102444800}"#, #"{"v":1,"ts":"2026-11-29T08:32:00"}"#,
    ])
    func badTimestampIsRejected(_ payload: String) throws {
        let intake = try intake(.json(value: try JSONPath("$.v"), time: try JSONPath("$.ts")))
        #expect(reason(intake, payload) == .badTimestamp)
    }

    @Test(arguments: [
        "plant/..%/t", "plant/a b/t", "plant/p1/\u{1B}[2J", "plant/p1/x;DROP", "plant/../t",
        "plant/\(String(repeating: "a", count: 65))/t",
    ])
    func hostileCapturedNameIsRejected(_ topic: String) throws {
        #expect(reason(try intake(.plain), "1", topic: topic) == .invalidName)
    }

    /// Found by the fuzzer: a SenML base time of 1.8e16 s used to trap converting to milliseconds.
    @Test(arguments: [
        #"[{"bn":"m.","bt":1795948E10,"n":"t","v":20.5}]"#, #"[{"n":"t","v":1,"t":-1e300}]"#,
        #"[{"n":"t","v":1,"bt":1e308,"t":1e308}]"#,
    ])
    func absurdSenMLTimesAreBadTimestampsNotACrash(_ payload: String) throws {
        #expect(reason(try intake(.senml), payload, topic: "plant/p1/x") == .badTimestamp)
    }

    @Test func hostileSenMLNameIsRejected() throws {
        #expect(reason(try intake(.senml), #"[{"n":"a/b","v":1}]"#) == .invalidName)
    }

    @Test func unknownTopicIsRejected() throws {
        #expect(reason(try intake(.plain), "1", topic: "other/p1/t") == .unknownTopic)
    }
}
