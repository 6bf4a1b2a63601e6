import Foundation
import Logging
import Testing
import VigilConfig
import VigilCore
import VigilDaemon
import VigilMQTT
import VigilModel
import VigilNN
import VigilPrognosis
import VigilStore
import VigilTestSupport

/// Remaining-life predictions and maintenance labels in the running daemon, against a real
/// mosquitto.
@Suite(.serialized) struct PrognosisDaemonTests {
    static let signals = ["setting", "s1", "s2", "s3", "s4"]

    /// A small model trained on a synthetic fleet: window 10, cap 50 steps.
    static func trainModel(to path: String) throws {
        let histories = try RunFileReader(format: .csv, settingColumns: ["setting"]).parse(
            SyntheticFleet(count: 24, seed: 1).csv(),
            file: "fleet.csv"
        )
        let settings = RULTrainingSettings(
            window: 10,
            cap: 50,
            kind: .gru,
            hidden: 12,
            headSizes: [8],
            members: 2,
            epochs: 25,
            batchSize: 32,
            learningRate: 5e-3,
            dropout: 0
        )
        try RULTrainer.trainHere(histories, settings: settings).model.file.write(to: path)
    }

    static func configuration(port: Int32, database: String, model: String, retrain: Bool = false) -> String {
        """
        \(brokerAndStorage(port: port, database: database, clientID: "vigil-prognosis-test"))
        assets:
          - name: pump-1
            tick: 1s
            signals:
        \(signals.map { "      - {name: \($0), topic: \"test/pump-1/\($0)\", value: \"$.v\", time: \"$.ts\"}" }.joined(separator: "\n"))
            detector: {window: 40, warmup: 20, stuck_after: 0}
            prognosis:
              model: \(model)
              step: 1s
              horizon: 15s
              min_duration: 2
              clear_after: 2
              retrain: \(retrain)
        \(maintenanceKeys)
        """
    }

    /// The maintenance system's key pair: the daemon lists the public key; labels are signed with
    /// the private one, like operators' commands.
    static let maintenanceKey = CommandKeys.generate()

    /// The `commands` section that lists `maintenanceKey`; labels share the commands' per-asset
    /// rate, so a test that labels three failures of one asset within a minute raises it from 2.
    static let maintenanceKeys = """
        commands:
          max_per_asset_per_minute: 5
          keys:
            - name: maintenance
              public_key: "\(maintenanceKey.publicKey)"
        """

    /// A label's JSON fields, with when it was sent, a fresh nonce and the label topic, signed with
    /// `maintenanceKey` (`key` another key, to forge).
    static func signedLabel(_ fields: String, key: String = maintenanceKey.privateKey) throws -> [UInt8] {
        let sent = Int64(Date().timeIntervalSince1970 * 1000)
        let json = "{\(fields),\"sent\":\(sent),\"nonce\":\"\(UUID().uuidString)\",\"topic\":\"vigil/label\"}"
        return try SignedCommand.seal(Array(json.utf8), keyName: "maintenance", privateKey: CommandKeys.raw(key)!)
    }

    /// Publishes a unit's rows, one step (one reading per signal) per second from `start`.
    func publish(_ rows: [[Double]], from start: Timestamp, through client: MQTTClient) async throws {
        for (step, row) in rows.enumerated() {
            for (signal, value) in zip(Self.signals, row) {
                try await client.publish(
                    topic: "test/pump-1/\(signal)",
                    payload: reading(value, at: start + .seconds(step)),
                    qos: 1,
                    retain: false
                )
            }
        }
    }

    func json(_ message: MQTTMessage) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]) ?? [:]
    }

    /// The remaining lives (in steps) of the prognosis reports among `messages`: a report is also
    /// sent without a new step (at least once a minute), and one without an estimate has none.
    func estimatedLives(_ messages: [MQTTMessage]) -> [Double] {
        messages.filter { $0.topic == "vigil/state/pump-1/prognosis" }.compactMap {
            (json($0)["predictions"] as? [[String: Any]])?.first?["steps"] as? Double
        }
    }

    @Test func theDaemonPublishesTheRemainingLifeAndRaisesAndClearsFaultPredictedThroughMosquitto() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("fleet.vglm").path
        try Self.trainModel(to: model)
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let text = Self.configuration(port: broker.port, database: database, model: model)
            let configuration = try ConfigLoader.parse(text)
            let daemon = try Daemon(
                configuration: configuration,
                password: nil,
                handleSignals: false,
                prognosisModels: try PrognosisModels.load(configuration, file: nil),
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/#"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            // One unit to its failure, a repair, and a new unit's first healthy steps.
            let fleet = SyntheticFleet(count: 2, shortest: 90, longest: 90, seed: 12)
            let start = Timestamp(seconds: (Date().timeIntervalSince1970 - 600).rounded(.down))
            let messages = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        try await publish(fleet.units[0].rows, from: start, through: plant)
                        try await plant.publish(
                            topic: "vigil/label",
                            payload: try Self.signedLabel(
                                #""asset":"pump-1","event":"repair","time":"\#((start + .seconds(90)).iso8601)","id":"r1""#
                            ),
                            qos: 1,
                            retain: false
                        )
                        _ = await watcher.wait(timeout: .seconds(20)) { $0.contains { $0.topic == "vigil/label/ack" } }
                        try await publish(
                            Array(fleet.units[1].rows.prefix(30)),
                            from: start + .seconds(100),
                            through: plant
                        )
                    }
                    // 89 steps of the first unit and 29 of the second are completed, each estimated.
                    return await watcher.wait(timeout: .seconds(30)) { messages in
                        messages.filter { $0.topic == "vigil/alerts/pump-1" }.count >= 3
                            && estimatedLives(messages).count >= 118
                    }
                }
            }
            let alerts = messages.filter { $0.topic == "vigil/alerts/pump-1" }.map(json)
            let predicted = alerts.filter { $0["kind"] as? String == "fault_predicted" }
            let summary = predicted.map { "\($0["state"] ?? "-") \($0["severity"] ?? "-") at \($0["time"] ?? "-")" }
            // Raised (as a warning, or at once critical when the estimate and its lower bound reach the
            // horizon within the same two ticks), critical before the failure, cleared after the repair.
            let states = predicted.compactMap { $0["state"] as? String }
            #expect(states.first == "raised" && states.last == "cleared" && states.count <= 3, "\(summary)")
            #expect(predicted.contains { $0["severity"] as? String == "critical" }, "\(summary)")
            #expect(Set(predicted.compactMap { $0["alarm_id"] as? String }).count == 1)
            let raised = try #require(predicted.first)
            // Raised before the failure (at 89 s), when the interval first reached the 15 s horizon.
            let raisedAt = try #require(Timestamp(iso8601: raised["time"] as! String))
            #expect(raisedAt < start + .seconds(89), "raised at \(raisedAt), failure at \(start + .seconds(89))")
            let prediction = try #require((raised["predictions"] as? [[String: Any]])?.first)
            #expect(prediction["source"] as? String == "rul")
            #expect((prediction["lower"] as? Double).map { $0 <= 15 } == true)
            #expect(
                try SchemaCheck.problems(
                    schema: "alert.schema.json",
                    jsonDocuments: messages.filter { $0.topic == "vigil/alerts/pump-1" }.map {
                        String(decoding: $0.payload, as: UTF8.self)
                    }
                ) == nil
            )
            // The retained prognosis topic carries the remaining life with its interval.
            let reports = messages.filter { $0.topic == "vigil/state/pump-1/prognosis" }
            #expect(reports.count >= 118)
            // A dashboard that subscribes later gets the last one, retained.
            let dashboard = Collector(port: broker.port, filters: ["vigil/state/pump-1/prognosis"], id: "dashboard")
            let retained = try await dashboard.run { await dashboard.wait(timeout: .seconds(10)) { !$0.isEmpty } }
            let kept = try #require(retained.first)
            #expect(kept.retain)
            #expect(json(kept)["asset"] as? String == "pump-1")
            #expect((json(kept)["predictions"] as? [[String: Any]])?.first?["source"] as? String == "rul")
            #expect(
                try SchemaCheck.problems(
                    schema: "prognosis.schema.json",
                    jsonDocuments: reports.map { String(decoding: $0.payload, as: UTF8.self) }
                ) == nil
            )
            let lives = estimatedLives(messages)
            #expect(lives.count >= 118)
            #expect((lives.first ?? 0) > 30, "first estimate \(lives.first ?? -1)")
            // The repair was stored, acknowledged, and the new unit's life is long again.
            #expect(messages.contains { $0.topic == "vigil/label/ack" && json($0)["ok"] as? Bool == true })
            #expect((lives.last ?? 0) > 25, "last estimate \(lives.last ?? -1)")
            let reader = try EventReader.open(path: database)
            #expect(try reader.labels().map(\.event) == [.repair])
            let events = try reader.events(EventQuery(kind: .faultPredicted))
            #expect(events.map(\.event.transition).first == .raised && events.map(\.event.transition).last == .cleared)
            #expect(events.count == predicted.count)
            #expect(events.first?.event.predictions.first?.source == .rul)
            // `vigil events` shows the prediction.
            let table = try runCommand(
                Repository.vigilBinary,
                ["events", "--database", database, "--kind", "fault_predicted"]
            )
            #expect(table.output.contains("PREDICTION") && table.output.contains("rul in "), "\(table.output)")
            let lines = try runCommand(
                Repository.vigilBinary,
                ["events", "--database", database, "--kind", "fault_predicted", "--format", "json"]
            ).output.split(separator: "\n").map(String.init)
            #expect(try SchemaCheck.problems(schema: "event.schema.json", jsonDocuments: lines) == nil)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func theFailureLabelThatCompletesAThirdRunStartsARetrainingThatReadsAllThreeRuns() async throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("fleet.vglm").path
        try Self.trainModel(to: model)
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let text = Self.configuration(port: broker.port, database: database, model: model, retrain: true)
            let configuration = try ConfigLoader.parse(text)
            let capture = LogCapture()
            let daemon = try Daemon(
                configuration: configuration,
                password: nil,
                handleSignals: false,
                prognosisModels: try PrognosisModels.load(configuration, file: nil),
                logger: capture.logger(label: "daemon", level: .info)
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/label/ack"])
            let plant = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "plant"),
                logger: .test("plant")
            )
            // Three units run to failure one after the other on the same asset, each failure
            // labelled as soon as it happens: the third label completes the third run.
            let fleet = SyntheticFleet(count: 3, shortest: 60, longest: 60, seed: 7)
            let start = Timestamp(seconds: (Date().timeIntervalSince1970 - 600).rounded(.down))
            let outcomes = [
                "Retrained model swapped in", "Retrained model was worse on the held-out runs", "Retraining skipped",
            ]
            _ = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(plant) {
                        for (index, unit) in fleet.units.enumerated() {
                            let begin = start + .seconds(index * 70)
                            try await publish(unit.rows, from: begin, through: plant)
                            let failed = (begin + .seconds(unit.rows.count)).iso8601
                            try await plant.publish(
                                topic: "vigil/label",
                                payload: try Self.signedLabel(
                                    #""asset":"pump-1","event":"failure","time":"\#(failed)","id":"f\#(index)""#
                                ),
                                qos: 1,
                                retain: false
                            )
                            _ = await watcher.wait(timeout: .seconds(20)) { $0.count > index }
                        }
                    }
                    // The retraining trains at nice 19 in the background; wait for its outcome.
                    let deadline = ContinuousClock.now + .seconds(300)
                    while ContinuousClock.now < deadline,
                        capture.messages.filter({ line in outcomes.contains { line.contains($0) } }).count < 3
                    {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    return true
                }
            }
            let lines = capture.messages.filter { $0.contains("etrain") }
            // A retraining after each failure: the first two skipped (one and two completed runs), the
            // third read the three runs, the third one closed by the label that asked for it, so it
            // trained and compared instead of skipping.
            let runs = lines.filter { $0.contains("Retraining the remaining-life model") }.map { line in
                line.split(separator: " ").first { $0.hasPrefix("retrain.runs=") }.map(String.init) ?? "-"
            }
            #expect(runs == ["retrain.runs=1", "retrain.runs=2", "retrain.runs=3"], "\(lines)")
            #expect(lines.filter { $0.contains("Retraining skipped") }.count == 2, "\(lines)")
            #expect(lines.last.map { $0.contains(outcomes[0]) || $0.contains(outcomes[1]) } == true, "\(lines)")
            #expect(try EventReader.open(path: database).labels().map(\.event) == [.failure, .failure, .failure])
        }
    }

    @Test func signedLabelsOverMQTTAndThroughTheCLIAreStoredAndUnsignedForgedOrUnknownAssetLabelsAreRefused()
        async throws
    {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.db").path
        try await MosquittoBroker.withBroker { broker in
            let text = """
                \(brokerAndStorage(port: broker.port, database: database, clientID: "vigil-label-test"))
                assets:
                  - name: pump-1
                    signals:
                      - {name: x, topic: "test/pump-1/x"}
                \(Self.maintenanceKeys)
                """
            let keyFile = directory.appendingPathComponent("maintenance.key").path
            try Self.maintenanceKey.privateKey.write(toFile: keyFile, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
            let configFile = directory.appendingPathComponent("vigil.yaml").path
            try text.write(toFile: configFile, atomically: true, encoding: .utf8)
            let daemon = try Daemon(
                configuration: try ConfigLoader.parse(text),
                password: nil,
                handleSignals: false,
                logger: .test("daemon")
            )
            let watcher = Collector(port: broker.port, filters: ["vigil/label/ack"])
            let sender = MQTTClient(
                options: ConnectOptions(host: "127.0.0.1", port: broker.port, clientID: "maintenance"),
                logger: .test("maintenance")
            )
            let (failure, unknown, unsigned, acks) = try await watcher.run {
                try await withDaemon(daemon) {
                    try await withRunningClient(sender) {
                        let other = CommandKeys.generate()
                        for payload in [
                            try Self.signedLabel(
                                #""asset":"pump-1","event":"repair","time":"2026-11-29T08:00:00Z","id":"m1""#
                            ),
                            try Self.signedLabel(#""asset":"pump-1","event":"broke","id":"m2""#),
                            try Self.signedLabel(#""asset":"pump-7","event":"failure","id":"m3""#),
                            Array(#"{"asset":"pump-1","event":"repair","id":"m4"}"#.utf8),
                            try Self.signedLabel(
                                #""asset":"pump-1","event":"repair","id":"m5""#,
                                key: other.privateKey
                            ),
                            Array("not json".utf8),
                        ] {
                            try await sender.publish(topic: "vigil/label", payload: payload, qos: 1, retain: false)
                        }
                    }
                    let failure = try await ChildProcess.run(
                        Repository.vigilBinary,
                        [
                            "label", "pump-1", "failure", "--at", "2026-11-30T09:30:00Z", "--config", configFile,
                            "--timeout", "30", "--key", keyFile,
                        ]
                    )
                    let unknown = try await ChildProcess.run(
                        Repository.vigilBinary,
                        ["label", "pump-99", "repair", "--config", configFile, "--timeout", "30", "--key", keyFile]
                    )
                    let unsigned = try await ChildProcess.run(
                        Repository.vigilBinary,
                        ["label", "pump-1", "repair", "--config", configFile, "--timeout", "30"]
                    )
                    let acks = await watcher.wait(timeout: .seconds(10)) { $0.count >= 8 }
                    return (failure, unknown, unsigned, acks)
                }
            }
            #expect(
                failure.output.contains("label: recorded: failure of pump-1 at 2026-11-30T09:30:00.000Z"),
                "\(failure.output)"
            )
            #expect(failure.status ?? 0 == 0)
            #expect(
                unknown.output.contains("label: refused (unknown_asset): unknown asset 'pump-99'"),
                "\(unknown.output)"
            )
            #expect(unknown.status ?? 1 == 1)
            let answers = acks.map { try! JSONSerialization.jsonObject(with: Data($0.payload)) as! [String: Any] }
            let byID = Dictionary(answers.compactMap { a in (a["id"] as? String).map { ($0, a) } }) { first, _ in first
            }
            #expect(byID["m1"]?["ok"] as? Bool == true)
            #expect(byID["m2"]?["reason"] as? String == "malformed")
            #expect((byID["m2"]?["detail"] as? String)?.contains("'event' must be failure or repair") == true)
            #expect(byID["m3"]?["reason"] as? String == "unknown_asset")
            #expect((byID["m3"]?["detail"] as? String)?.contains("unknown asset 'pump-7'") == true)
            // Unsigned, or signed by a key the daemon does not list: refused, not stored.
            #expect(byID["m4"]?["reason"] as? String == "unsigned")
            #expect(answers.contains { $0["reason"] as? String == "bad_signature" })
            #expect(answers.filter { $0["reason"] as? String == "unsigned" }.count == 2)
            #expect(unsigned.output.contains("give --key FILE"), "\(unsigned.output)")
            #expect(unsigned.status ?? 0 == 1)
            // Every label is in the audit trail with its origin, the refused ones with their reason.
            let audit = try EventReader.open(path: database).commands(EventQuery())
            #expect(audit.allSatisfy { $0.command == "label" })
            #expect(audit.filter(\.accepted).map(\.origin) == ["key maintenance", "key maintenance"])
            #expect(Set(audit.compactMap(\.reason)) == ["malformed", "unknown_asset", "unsigned", "bad_signature"])
            // A signed label, and the label inside it, as schemas/label.schema.json describes them.
            let published = try Self.signedLabel(#""asset":"pump-1","event":"failure","id":"s1""#)
            let envelope = try #require(SignedCommand(envelope: published))
            let inner = try #require(Data(base64Encoded: envelope.payload))
            let documents = [String(decoding: published, as: UTF8.self), String(decoding: inner, as: UTF8.self)]
            #expect(try SchemaCheck.problems(schema: "label.schema.json", jsonDocuments: documents) == nil)
            let labels = try EventReader.open(path: database).labels()
            #expect(labels.map(\.event) == [.repair, .failure])
            #expect(labels.map(\.time.iso8601) == ["2026-11-29T08:00:00.000Z", "2026-11-30T09:30:00.000Z"])
            #expect(labels.allSatisfy { $0.asset == "pump-1" })
        }
    }

    @Test func aModelWhoseSignalsDoNotMatchTheAssetIsAConfigurationErrorOnItsLine() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("fleet.vglm").path
        try Self.trainModel(to: model)
        let configFile = directory.appendingPathComponent("vigil.yaml").path
        try """
        broker: {host: 127.0.0.1}
        storage: {path: \(directory.appendingPathComponent("v.db").path)}
        assets:
          - name: pump-1
            signals:
              - {name: setting, topic: "p/setting"}
              - {name: s1, topic: "p/s1"}
            prognosis:
              model: \(model)
        """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let result = try runCommand(Repository.vigilBinary, ["config", "check", configFile])
        #expect(result.status == 78)
        #expect(
            result.error.contains(
                "\(configFile):9:7: assets[0].prognosis.model: model '\(model)' reads signals s2, s3 that asset "
                    + "'pump-1' does not have (it has setting, s1)"
            ),
            "\(result.error)"
        )
        // A forecast model where a remaining-life one belongs, and a file that is not there.
        let forecast = directory.appendingPathComponent("forecast.vglm").path
        try ModelFile(
            network: RecurrentNetwork(kind: .gru, inputSize: 1, hiddenSize: 2, outputSize: 1, seed: 1),
            loss: .meanSquaredError,
            normalisation: Normalisation(signals: ["s1"], center: [0], scale: [1]),
            training: TrainingMetadata(samples: 1, epochs: 1, bestEpoch: 0, validationLoss: 0, seed: 1, trainedAt: "")
        ).write(to: forecast)
        for (file, reason) in [
            (forecast, "model file holds a forecast model, not a rul model"),
            (model + ".missing", "cannot access the model file"),
        ] {
            let text = try String(contentsOfFile: configFile, encoding: .utf8).replacingOccurrences(
                of: model,
                with: file
            )
            try text.write(toFile: configFile, atomically: true, encoding: .utf8)
            let refused = try runCommand(Repository.vigilBinary, ["config", "check", configFile])
            #expect(refused.status == 78 && refused.error.contains(reason), "\(refused.error)")
            try String(contentsOfFile: configFile, encoding: .utf8).replacingOccurrences(of: file, with: model)
                .write(toFile: configFile, atomically: true, encoding: .utf8)
        }
        // The signals match, but the length of a step is unknown: the entry sets neither a tick nor
        // prognosis.step (a tick taken from the readings comes too late to fix the model's step).
        let matching = try String(contentsOfFile: configFile, encoding: .utf8).replacingOccurrences(
            of: "      - {name: s1, topic: \"p/s1\"}\n",
            with: "      - {name: s1, topic: \"p/s1\"}\n      - {name: s2, topic: \"p/s2\"}\n"
                + "      - {name: s3, topic: \"p/s3\"}\n"
        )
        try matching.write(toFile: configFile, atomically: true, encoding: .utf8)
        let stepless = try runCommand(Repository.vigilBinary, ["config", "check", configFile])
        #expect(stepless.status == 78, "\(stepless.error)")
        #expect(
            stepless.error.contains(
                "assets[0].prognosis.model: set prognosis.step (how long one step of the model is) or the entry's tick"
            ),
            "\(stepless.error)"
        )
        // prognosis is the file's last block.
        try (matching + "\n      step: 1h\n").write(toFile: configFile, atomically: true, encoding: .utf8)
        let stepped = try runCommand(Repository.vigilBinary, ["config", "check", configFile])
        #expect(stepped.status == 0, "\(stepped.error)")
    }

    @Test func trainRulAndPredictWorkFromTheCommandLine() throws {
        let directory = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = directory.appendingPathComponent("train.csv").path
        let test = directory.appendingPathComponent("test.csv").path
        let model = directory.appendingPathComponent("fleet.vglm").path
        try SyntheticFleet(count: 15, shortest: 40, longest: 60, seed: 1).csv().write(
            toFile: train,
            atomically: true,
            encoding: .utf8
        )
        try SyntheticFleet(count: 4, shortest: 40, longest: 60, seed: 2).csv(failures: false) { $0.life - 10 }
            .write(toFile: test, atomically: true, encoding: .utf8)
        let trained = try runCommand(
            Repository.vigilBinary,
            [
                "train", "rul", train, "--output", model, "--settings", "setting", "--window", "8", "--cap", "30",
                "--members", "3", "--epochs", "5", "--hidden", "8",
            ]
        )
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("inputs s1,s2,s3; 2 operating regimes from setting"), "\(trained.output)")
        #expect(trained.output.contains("validation: 15 held-out units: RMSE "), "\(trained.output)")
        #expect(trained.output.contains("PHM08 score"))
        let predicted = try runCommand(Repository.vigilBinary, ["predict", test, "--model", model, "--interval"])
        #expect(predicted.status == 0, "\(predicted.error)")
        let lines = predicted.output.split(separator: "\n")
        #expect(lines.first == "engine_id,predicted_rul,rul_lower,rul_upper")
        #expect(lines.dropFirst().map { $0.split(separator: ",").first.map(String.init) } == ["1", "2", "3", "4"])
        let inspect = try runCommand(Repository.vigilBinary, ["model", "inspect", model])
        #expect(
            inspect.status == 0 && inspect.output.contains("task:           rul"),
            "\(inspect.output)\(inspect.error)"
        )
        // A training file in which no unit fails.
        try SyntheticFleet(count: 4, seed: 3).csv(failures: false).write(
            toFile: test,
            atomically: true,
            encoding: .utf8
        )
        let refused = try runCommand(
            Repository.vigilBinary,
            ["train", "rul", test, "--output", model, "--settings", "setting"]
        )
        #expect(refused.status == 1)
        #expect(refused.error.contains("\(test): none of its 4 units ends in a failure"), "\(refused.error)")
    }
}
