import Foundation
import Testing
import VigilConfig
import VigilCore

@Suite struct ConfigLoaderTests {
    static let minimal = """
        broker:
          host: 127.0.0.1
        assets:
          - name: pump-1
            signals:
              - name: pressure
                topic: plant/pump1/pressure
        """

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(yaml, file: "test.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func minimalFileGetsDefaults() throws {
        let config = try ConfigLoader.parse(Self.minimal)
        #expect(config.broker.port == 1883)
        #expect(config.broker.cleanSession == false)
        #expect(config.storage.retention.duration == .seconds(90 * 86_400))
        #expect(config.alerts.topic == "vigil/alerts/{asset}")
        #expect(config.assets[0].alarm.cooldown.duration == .seconds(600))
        #expect(config.assets[0].signals[0].format == .plain)
        #expect(config.routes.count == 1)
        #expect(config.profiles[0].alarm.threshold == 0.99)
    }

    @Test func shippedExamplesLoad() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../examples"
        )
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        for file in files {
            let config = try ConfigLoader.load(path: examples.appendingPathComponent(file).path)
            #expect(!config.assets.isEmpty)
        }
    }

    @Test func unknownKeyIsNamedWithItsLine() {
        let yaml = Self.minimal + "\n    alarm:\n      treshold: 0.9\n"
        let error = error(yaml)
        #expect(error?.keyPath == "assets[0].alarm.treshold")
        #expect(error?.line == 9)
        #expect(error?.message.contains("unknown key 'treshold'") == true)
        #expect(error?.description.hasPrefix("test.yaml:9:") == true)
    }

    @Test func wrongTypeIsNamedWithItsLine() {
        let yaml = Self.minimal.replacingOccurrences(of: "host: 127.0.0.1", with: "host: 127.0.0.1\n  port: lots")
        let error = error(yaml)
        #expect(error?.keyPath == "broker.port")
        #expect(error?.line == 3)
        #expect(error?.message.contains("whole number") == true)
        #expect(error?.message.contains("'lots'") == true)
    }

    @Test func missingFieldNamesTheMappingThatLacksIt() {
        let yaml = """
            broker: {host: 127.0.0.1}
            assets:
              - name: pump-1
                signals:
                  - name: pressure
            """
        let error = error(yaml)
        #expect(error?.keyPath == "assets[0].signals[0]")
        #expect(error?.message.contains("missing required key 'topic'") == true)
        #expect(error?.line == 5)
    }

    @Test func missingTopLevelSectionIsReported() {
        let error = error("broker: {host: x}\n")
        #expect(error?.message.contains("missing required key 'assets'") == true)
    }

    @Test func badDurationIsNamedWithItsLine() {
        let yaml = Self.minimal + "\n    alarm:\n      cooldown: ten minutes\n"
        let error = error(yaml)
        #expect(error?.keyPath == "assets[0].alarm.cooldown")
        #expect(error?.line == 9)
        #expect(error?.message.contains("bad duration 'ten minutes'") == true)
    }

    @Test(arguments: ["500ms", "30s", "10m", "24h", "90d", "1.5s"])
    func durationsParse(_ text: String) {
        #expect(ConfigDuration(text) != nil)
    }

    @Test(arguments: ["", "10", "s", "-1s", "1w", "1 m x", "1e3s", "nan s", ".5s", "5.s", " 5s"])
    func badDurationsAreRefused(_ text: String) {
        #expect(ConfigDuration(text) == nil)
    }

    @Test func passwordLiteralIsRefusedWithAdvice() {
        let yaml = Self.minimal.replacingOccurrences(
            of: "host: 127.0.0.1",
            with: "host: h\n  username: u\n  password: hunter2"
        )
        let error = error(yaml)
        #expect(error?.keyPath == "broker.password")
        #expect(error?.message.contains("password_file") == true)
        #expect(error?.description.contains("hunter2") == false)
    }

    @Test func invalidTopicPatternIsRefused() {
        let error = error(
            Self.minimal.replacingOccurrences(of: "topic: plant/pump1/pressure", with: "topic: plant/#/x")
        )
        #expect(error?.keyPath == "assets[0].signals[0].topic")
        #expect(error?.line == 7)
    }

    @Test func invalidJSONPathIsRefused() {
        let error = error(Self.minimal + "\n        value: v.x\n")
        #expect(error?.keyPath == "assets[0].signals[0].value")
    }

    @Test func assetNameMustBeCapturedByEveryTopic() {
        let error = error(Self.minimal.replacingOccurrences(of: "name: pump-1", with: "name: \"{asset}\""))
        #expect(error?.keyPath == "assets[0].name")
        #expect(error?.message.contains("{asset}") == true)
    }

    @Test func aSignalTopicThatWouldConsumeVigilsOwnAlertsIsRefused() {
        let error = error(Self.minimal.replacingOccurrences(of: "topic: plant/pump1/pressure", with: "topic: \"#\""))
        #expect(error?.keyPath == "assets[0]")
        #expect(error?.message.contains("vigil/alerts/asset-1") == true)
        #expect(error?.line == 4)
    }

    @Test func inconsistentAlarmThresholdsAreRefused() {
        let error = error(Self.minimal + "\n    alarm: {threshold: 0.9, clear_below: 0.95}\n")
        #expect(error?.keyPath == "assets[0].alarm.clear_below")
    }

    @Test func theRecordsCalibrationKeysReachTheDetector() throws {
        let yaml =
            Self.minimal
                + """

                    detector: {kind: lstm, calibration_history: 3000, calibration_warmup: 100, pattern_windows: [16, 64],
                               pattern_memory: 200, record_margin: 0.05, seasonal_correlation: 0.5, shift_window: 12}
                """
        let config = try ConfigLoader.parse(yaml)
        guard case .lstm(let settings) = config.profiles[0].detector else {
            Issue.record("not an lstm detector")
            return
        }
        #expect(settings.calibration.history == 3000)
        #expect(settings.calibration.quiet == 100)
        #expect(settings.calibration.patternWindows == [16, 64])
        #expect(settings.calibration.seasonalCorrelation == 0.5)
        #expect(settings.calibration.shiftWindow == 12)
        #expect(settings.calibration.patternMemory == 200)
        #expect(settings.calibration.recordMargin == 0.05)
    }

    @Test(arguments: [
        ("pattern_windows: [4]", "pattern_windows"), ("pattern_memory: 0", "pattern_memory"),
        ("record_margin: 0", "record_margin"), ("calibration_warmup: -1", "calibration_warmup"),
        ("shift_window: 1", "shift_window"), ("seasonal_correlation: 2", "seasonal_correlation"),
    ])
    func badRecordsCalibrationKeysAreNamed(_ setting: String, _ key: String) {
        let error = error(Self.minimal + "\n    detector: {kind: lstm, \(setting)}\n")
        #expect(error?.keyPath == "assets[0].detector.\(key)")
    }

    @Test(arguments: [
        ("kind: robust, hidden: 8", "hidden", "hidden is a setting of kind lstm, not of kind robust"),
        ("kind: robust, averaging: 8", "averaging", "kind lstm with calibration records"),
        ("kind: lstm, calibration: shift, pattern_windows: [8]", "pattern_windows", "not of calibration shift"),
        ("kind: lstm, shift_limit: 4", "shift_limit", "kind lstm with calibration shift, not of calibration records"),
    ])
    func aSettingOfAnotherKindOrCalibrationIsNamed(_ settings: String, _ key: String, _ message: String) {
        let error = error(Self.minimal + "\n    detector: {\(settings)}\n")
        #expect(error?.keyPath == "assets[0].detector.\(key)")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func theOldPatternWindowKeySaysWhatToWriteNow() {
        let error = error(Self.minimal + "\n    detector: {kind: lstm, pattern_window: 64}\n")
        #expect(error?.keyPath == "assets[0].detector.pattern_window")
        #expect(error?.message.contains("pattern_windows, a list") == true)
    }

    @Test func theDefaultsOfEachKindAreTheDetectorsOwn() throws {
        let robust = try ConfigLoader.parse(Self.minimal).assets[0].detector
        #expect(robust == .robust(RobustStatisticsDetector.Settings()))
        let lstm = try ConfigLoader.parse(Self.minimal + "\n    detector: {kind: lstm}\n").assets[0].detector
        #expect(lstm == .lstm(LSTMDetector.Settings()))
        let windowed = try ConfigLoader.parse(Self.minimal + "\n    detector: {window: 40}\n").assets[0].detector
        #expect(windowed == .robust(RobustStatisticsDetector.Settings(window: 40, warmup: 20)))
        #expect(try ConfigLoader.parse(Self.minimal).assets[0].alarm.policy == AlarmPolicy())
    }

    @Test func theShippedUnivariateExampleIsTheBuiltInLSTMDefault() throws {
        let config = try ConfigLoader.parse(DefaultConfiguration.univariateText)
        #expect(config.assets[0].detector == .lstm(LSTMDetector.Settings()))
        #expect(config.assets[0].alarm.policy == AlarmPolicy())
    }

    @Test func configShowWritesEverySettingOfTheKindAndReadsBackTheSame() throws {
        for text in [DefaultConfiguration.univariateText, DefaultConfiguration.multivariateText, Self.minimal] {
            let config = try ConfigLoader.parse(text)
            let shown = try ConfigLoader.parse(try config.yaml())
            #expect(shown.assets[0].detector == config.assets[0].detector)
        }
    }

    @Test func outOfRangeNumberIsRefused() {
        let error = error(Self.minimal.replacingOccurrences(of: "host: 127.0.0.1", with: "host: h\n  port: 70000"))
        #expect(error?.keyPath == "broker.port")
    }

    @Test func yamlSyntaxErrorGivesLineAndColumn() {
        let error = error("broker:\n  host: [unclosed\nassets: []\n")
        #expect(error?.line != nil)
        #expect(error?.message.hasPrefix("YAML syntax") == true)
    }

    @Test func duplicateKeyIsRefused() {
        let error = error("broker:\n  host: a\n  host: b\nassets: []\n")
        #expect(error?.message.contains("duplicate key host") == true)
    }

    @Test(arguments: ["0.0.0.0", "192.168.1.20", "::", "gateway.local"])
    func aMetricsAddressOffLoopbackIsRefused(_ address: String) {
        let error = error(Self.minimal + "\nmetrics:\n  address: \"\(address)\"\n")
        #expect(error?.keyPath == "metrics.address", "\(address)")
        #expect(error?.message.contains("loopback only") == true, "\(address)")
    }

    @Test(arguments: ["127.0.0.1", "::1", "localhost"])
    func aMetricsAddressOnLoopbackIsTaken(_ address: String) throws {
        #expect(
            try ConfigLoader.parse(Self.minimal + "\nmetrics:\n  address: \"\(address)\"\n").metrics.address == address
        )
    }

    @Test func maxRateDefaultsTo1000PerSignalAndIsBounded() throws {
        #expect(try ConfigLoader.parse(Self.minimal).profiles[0].maxRate == 1000)
        #expect(try ConfigLoader.parse(Self.minimal + "\n    max_rate: 0\n").profiles[0].maxRate == 0)
        #expect(error(Self.minimal + "\n    max_rate: -1\n")?.keyPath == "assets[0].max_rate")
    }

    @Test func emptyFileIsRefused() {
        #expect(error("")?.message == "the file is empty")
    }

    @Test func unreadableFileIsRefused() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/vigil.yaml") }
    }
}

@Suite struct SecretFileTests {
    func file(_ contents: String, mode: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-secret-\(UUID().uuidString)")
            .path
        _ = FileManager.default.createFile(
            atPath: path,
            contents: Data(contents.utf8),
            attributes: [.posixPermissions: mode]
        )
        return path
    }

    @Test func readsTheFirstLineOfAPrivateFile() throws {
        let path = try file("s3cret\nignored\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SecretFile.read(path) == "s3cret")
    }

    @Test func refusesAFileOthersCanRead() throws {
        let path = try file("s3cret\n", mode: 0o644)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigError.self) { try SecretFile.read(path) }
    }

    @Test func refusesAnEmptyOrMissingFile() throws {
        let path = try file("\n", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigError.self) { try SecretFile.read(path) }
        #expect(throws: ConfigError.self) { try SecretFile.read(path + ".missing") }
    }
}

/// Bounds on durations and on what YAML aliases may do (issue 12).
@Suite struct ConfigBoundsTests {
    @Test func aDurationIsAtMostAHundredYears() {
        #expect(ConfigDuration("36500d")?.duration == .seconds(36_500 * 86_400))
        #expect(ConfigDuration("36501d") == nil)
        #expect(ConfigDuration("107374182d") == nil)
        #expect(ConfigDuration("99999999999999999999999999999999s") == nil)
    }

    @Test func timeArgumentsStayInsideTheRangeOfATimeStamp() {
        let now = Timestamp(milliseconds: 1_795_948_320_000)
        #expect(TimeArgument.parse("999999999999d", now: now) == nil)
        #expect(TimeArgument.parse("100000000000", now: now) == nil)
        #expect(TimeArgument.parse("36500d", now: now) == now - .seconds(36_500 * 86_400))
    }

    @Test func anAliasIsFineAsAValueAndRefusedAsAKey() throws {
        let shared = """
            broker: {host: 127.0.0.1}
            assets:
              - name: pump-1
                signals: [{name: p, topic: plant/p1}]
                alarm: &quick {min_duration: 1, clear_after: 1}
              - name: pump-2
                signals: [{name: p, topic: plant/p2}]
                alarm: *quick
            """
        let config = try ConfigLoader.parse(shared)
        #expect(config.assets[1].alarm.minDuration == 1)
        for text in [
            "broker: &b {host: h}\n*b : 1\nassets: []\n",
            "broker: &b {host: h}\n? *b\n: 1\nassets: []\n",
            "broker: &b {host: h}\nassets: [{*b : 1}]\n",
        ] {
            #expect(throws: ConfigError.self) { try ConfigLoader.parse(text) }
            let message = (try? ConfigLoader.parse(text)).map { _ in "" } ?? "\(Self.error(text))"
            #expect(message.contains("used as a mapping key"), "\(message)")
        }
        // Quoted, commented or part of a word: not an alias.
        let quoted = """
            broker: {host: "*b : 1", client_id: 'x*y: z'}  # *c : 1
            assets:
              - name: pump-1
                signals: [{name: p, topic: plant/p1}]
            """
        #expect(try ConfigLoader.parse(quoted).broker.host == "*b : 1")
    }

    @Test func aliasesThatExpandBeyondTheBoundAreRefused() {
        // Six levels of ten: a million nodes from seven short lines.
        var text = "broker: {host: h}\nassets:\n  - &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for level in 1..<7 {
            text += "  - &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(Self.error(text).contains("expand the document to more than 100000 nodes"))
    }

    static func error(_ text: String) -> String {
        do {
            _ = try ConfigLoader.parse(text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }
}
