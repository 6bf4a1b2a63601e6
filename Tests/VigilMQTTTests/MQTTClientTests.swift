import Foundation
import Logging
import Testing
import VigilMQTT
import VigilTestSupport

@Suite(.serialized) struct MQTTClientTests {
    func options(
        _ broker: MosquittoBroker,
        _ id: String,
        subscribe filters: [String] = [],
        cleanSession: Bool = true
    )
        -> ConnectOptions
    {
        ConnectOptions(
            host: "127.0.0.1",
            port: broker.port,
            clientID: id,
            keepalive: .seconds(5),
            cleanSession: cleanSession,
            subscriptions: filters.map { ConnectOptions.Subscription(filter: $0) },
            reconnectDelay: .milliseconds(100),
            reconnectDelayMax: .milliseconds(400),
            inboundCapacity: 16
        )
    }

    @Test func publishedReadingReachesASubscriber() async throws {
        try await MosquittoBroker.withBroker { broker in
            let subscriber = MQTTClient(
                options: options(broker, "sub", subscribe: ["plant/+/temp"]),
                logger: .test("sub")
            )
            let publisher = MQTTClient(options: options(broker, "pub"), logger: .test("pub"))
            try await withRunning([subscriber, publisher]) {
                try await subscriber.waitUntilConnected(subscribed: true)
                try await publisher.waitUntilConnected()
                try await publisher.publish(topic: "plant/p1/temp", payload: Array("21.5".utf8), qos: 1, retain: false)
                try await publisher.publish(topic: "plant/p1/other", payload: Array("1".utf8), qos: 1, retain: false)
                try await publisher.publish(topic: "plant/p2/temp", payload: Array("22".utf8), qos: 1, retain: false)
                var iterator = subscriber.messages.makeAsyncIterator()
                let first = await iterator.next()
                let second = await iterator.next()
                #expect(first?.topic == "plant/p1/temp")
                #expect(first?.payload == Array("21.5".utf8))
                #expect(second?.topic == "plant/p2/temp")
            }
            #expect(publisher.statistics.published == 3)
        }
    }

    @Test func retainedStatusAndLastWillAreSet() async throws {
        try await MosquittoBroker.withBroker { broker in
            var statusOptions = options(broker, "status")
            statusOptions.will = .init(topic: "vigil/status", payload: Array("offline".utf8))
            statusOptions.onlineMessage = .init(topic: "vigil/status", payload: Array("online".utf8))
            let status = MQTTClient(options: statusOptions, logger: .test("status"))
            try await withRunning([status]) {
                try await status.waitUntilConnected()
                let watcher = MQTTClient(
                    options: options(broker, "watch", subscribe: ["vigil/status"]),
                    logger: .test("w")
                )
                try await withRunning([watcher]) {
                    var iterator = watcher.messages.makeAsyncIterator()
                    let message = await iterator.next()
                    #expect(message?.payload == Array("online".utf8))
                    #expect(message?.retain == true)
                }
            }
        }
    }

    @Test func resubscribesAndDeliversAfterTheBrokerRestarts() async throws {
        try await MosquittoBroker.withBroker { broker in
            let subscriber = MQTTClient(options: options(broker, "sub-r", subscribe: ["t/#"]), logger: .test("sub"))
            try await withRunning([subscriber]) {
                try await subscriber.waitUntilConnected(subscribed: true)
                broker.kill()
                try await Task.sleep(for: .milliseconds(300))
                try broker.start()
                // A fresh broker without persistence knows nothing of us: only re-subscribing helps.
                let deadline = ContinuousClock.now + .seconds(10)
                while !subscriber.isConnected && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await subscriber.waitUntilConnected(subscribed: true)
                let publisher = MQTTClient(options: options(broker, "pub-r"), logger: .test("pub"))
                try await withRunning([publisher]) {
                    try await publisher.waitUntilConnected()
                    try await publisher.publish(topic: "t/x", payload: [1], qos: 1, retain: false)
                }
                var iterator = subscriber.messages.makeAsyncIterator()
                #expect(await iterator.next()?.topic == "t/x")
            }
            #expect(subscriber.statistics.reconnects >= 1)
            #expect(subscriber.statistics.connects >= 2)
        }
    }

    @Test func refusedCredentialsBackOffInsteadOfStorming() async throws {
        let passwords = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pw-\(UUID().uuidString)")
        // mosquitto's password file with user "vigil", password "right" (PBKDF2 hash made by mosquitto_passwd).
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
        make.arguments = ["-c", "-b", passwords.path, "vigil", "right"]
        try make.run()
        make.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: passwords) }
        try await MosquittoBroker.withBroker(
            extraConfiguration: "allow_anonymous false\npassword_file \(passwords.path)"
        ) {
            broker in
            var wrong = options(broker, "wrong")
            wrong.username = "vigil"
            wrong.password = "wrong"
            let client = MQTTClient(options: wrong, logger: .test("wrong"))
            let clock = ContinuousClock()
            let began = clock.now
            try await withRunning([client]) {
                // Until a few attempts were made (a starved test machine may take longer than 2 s).
                while client.statistics.reconnects < 3 && clock.now - began < .seconds(20) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(!client.isConnected)
            }
            let elapsed = Double((clock.now - began).components.seconds) + 1
            // Backoff 100 ms doubling to a 400 ms cap with jitter: no more than about one attempt per
            // 200 ms of the time that passed, where a storm would retry at once.
            #expect(client.statistics.reconnects >= 3)
            #expect(Double(client.statistics.reconnects) <= elapsed / 0.2 + 2)
            #expect(client.statistics.connects == 0)

            var right = options(broker, "right")
            right.username = "vigil"
            right.password = "right"
            let good = MQTTClient(options: right, logger: .test("right"))
            try await withRunning([good]) { try await good.waitUntilConnected() }
        }
    }

    @Test func publishWhileDisconnectedFailsFast() async throws {
        let client = MQTTClient(
            options: ConnectOptions(host: "127.0.0.1", port: try FreePort.find(), clientID: "x"),
            logger: .test("x")
        )
        await #expect(throws: MQTTError.self) {
            try await client.publish(topic: "a", payload: [1], qos: 1, retain: false)
        }
    }

    @Test func aFullInboundQueueHoldsTheBrokerBackWithoutLoss() async throws {
        try await MosquittoBroker.withBroker { broker in
            // The subscriber's network thread waits while its queue is full, and sends no PINGREQ
            // meanwhile: a keep-alive longer than the publishing takes on a busy machine, and a
            // persistent session in case the broker drops the connection all the same.
            var slow = options(broker, "slow", subscribe: ["load/#"], cleanSession: false)
            slow.keepalive = .seconds(120)
            let subscriber = MQTTClient(options: slow, logger: .test("slow"))
            let publisher = MQTTClient(options: options(broker, "fast"), logger: .test("fast"))
            try await withRunning([subscriber, publisher]) {
                try await subscriber.waitUntilConnected(subscribed: true)
                try await publisher.waitUntilConnected()
                let count = 500
                for index in 0..<count {
                    try await publisher.publish(
                        topic: "load/x",
                        payload: Array(String(index).utf8),
                        qos: 1,
                        retain: false
                    )
                }
                // The queue holds 16; the rest waits in the network thread, TCP and the broker.
                #expect(subscriber.statistics.inboundDepth <= 16)
                var seen: [Int] = []
                var iterator = subscriber.messages.makeAsyncIterator()
                while seen.count < count, let message = await iterator.next() {
                    seen.append(Int(String(decoding: message.payload, as: UTF8.self))!)
                    if seen.count % 50 == 0 { try await Task.sleep(for: .milliseconds(5)) }
                }
                #expect(seen == Array(0..<count))
            }
            #expect(subscriber.statistics.inboundDropped == 0)
        }
    }

    /// Takes 16 messages from a queue of 16 and reports how many more the network thread has queued
    /// after waiting up to `patience` for the first one; then drains the rest, releasing as it goes.
    func takeCapacity(holding: Bool, patience: Duration) async throws -> (queuedAfter: Int, held: Int, seen: [Int]) {
        try await MosquittoBroker.withBroker { broker in
            var subscriberOptions = options(broker, "holder", subscribe: ["hold/#"])
            subscriberOptions.holdsInboundUntilReleased = holding
            let subscriber = MQTTClient(options: subscriberOptions, logger: .test("holder"))
            let publisher = MQTTClient(options: options(broker, "sender"), logger: .test("sender"))
            return try await withRunning([subscriber, publisher]) {
                try await subscriber.waitUntilConnected(subscribed: true)
                try await publisher.waitUntilConnected()
                let count = 100
                for index in 0..<count {
                    try await publisher.publish(
                        topic: "hold/x",
                        payload: Array(String(index).utf8),
                        qos: 1,
                        retain: false
                    )
                }
                var iterator = subscriber.messages.makeAsyncIterator()
                var seen: [Int] = []
                while seen.count < 16, let message = await iterator.next() {
                    seen.append(Int(String(decoding: message.payload, as: UTF8.self))!)
                }
                let deadline = ContinuousClock.now + patience
                while subscriber.messages.pending == 0 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let queuedAfter = subscriber.messages.pending
                let held = subscriber.messages.held
                while seen.count < count {
                    if subscriber.messages.pending == 0 { subscriber.messages.release() }
                    guard let message = await iterator.next() else { break }
                    seen.append(Int(String(decoding: message.payload, as: UTF8.self))!)
                }
                return (queuedAfter, held, seen)
            }
        }
    }

    @Test func aHoldingQueueTakesNothingMoreUntilItsMessagesAreReleased() async throws {
        // Control: without holding, taking messages frees their places and the network thread refills them.
        let flowing = try await takeCapacity(holding: false, patience: .seconds(20))
        #expect(flowing.queuedAfter > 0)
        #expect(flowing.held == 0)
        #expect(flowing.seen == Array(0..<100))
        // Holding: the 16 taken still fill the queue, so nothing more is queued (or acknowledged) until
        // they are released; then everything arrives, in order.
        let holding = try await takeCapacity(holding: true, patience: .seconds(1))
        #expect(holding.queuedAfter == 0)
        #expect(holding.held == 16)
        #expect(holding.seen == Array(0..<100))
    }
}
