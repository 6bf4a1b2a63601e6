internal import CVigilMosquitto
internal import Logging
internal import Synchronization

// libmosquitto's callbacks, run on its network thread. They copy what they need, update the state
// under the lock, and resume waiting tasks outside it. Like libmosquitto's own clients, they may
// call its non-blocking functions (subscribe, publish, disconnect) on the handle they were given.
extension MQTTClient {
    func didConnect(_ handle: OpaquePointer?, rc: Int32) {
        guard let handle else { return }
        guard rc == 0 else {
            state.withLock { $0.lastRefusal = rc }
            logger.error(
                "MQTT broker refused the connection",
                metadata: [
                    "mqtt.broker": "\(options.host):\(options.port)",
                    "mqtt.reason": "\(String(cString: mosquitto_connack_string(rc)))",
                ]
            )
            // End libmosquitto's loop; the supervisor reconnects after its backoff.
            mosquitto_disconnect(handle)
            return
        }
        var subscribeMIDs: Set<Int32> = []
        let firstConnect = state.withLock { $0.statistics.connects == 0 }
        for subscription in options.subscriptions where firstConnect || options.resubscribeOnReconnect {
            var mid: Int32 = 0
            let result = mosquitto_subscribe(handle, &mid, subscription.filter, subscription.qos)
            if result == MOSQ_ERR_SUCCESS.rawValue {
                subscribeMIDs.insert(mid)
            } else {
                logger.error(
                    "MQTT subscribe failed",
                    metadata: [
                        "mqtt.filter": "\(subscription.filter)",
                        "mqtt.error": "\(MQTTError.library(result, "mosquitto_subscribe"))",
                    ]
                )
            }
        }
        var onlineMID: Int32?
        if let online = options.onlineMessage {
            var mid: Int32 = 0
            let result = online.payload.withUnsafeBytes { bytes in
                mosquitto_publish(
                    handle,
                    &mid,
                    online.topic,
                    Int32(bytes.count),
                    bytes.baseAddress,
                    online.qos,
                    online.retain
                )
            }
            if result == MOSQ_ERR_SUCCESS.rawValue { onlineMID = mid }
        }
        let ready = state.withLock { state in
            if state.phase == .connecting { state.phase = .connected }
            state.connectedThisAttempt = true
            state.statistics.connects += 1
            state.pendingSubscriptions = subscribeMIDs
            if let onlineMID { state.untrackedPublishes.insert(onlineMID) }
            return state.takeSatisfiedWaiters()
        }
        logger.info(
            "MQTT connected",
            metadata: [
                "mqtt.broker": "\(options.host):\(options.port)",
                "mqtt.client_id": "\(options.clientID)",
            ]
        )
        for waiter in ready { waiter.resume() }
    }

    func didDisconnect(_ handle: OpaquePointer?, rc: Int32) {
        state.withLock { state in
            // Lost without our asking: the broker closed it (a restart, or another client taking over
            // our client id: MQTT 3.1.1 gives no reason), or the network did.
            if rc != 0 && state.phase == .connected { state.statistics.connectionLosses += 1 }
            if state.phase == .connected { state.phase = .connecting }
            state.pendingSubscriptions = []
        }
        if rc != 0, let handle {
            // Unexpected loss: stop libmosquitto's own reconnect loop so that the supervisor decides.
            mosquitto_disconnect(handle)
        }
    }

    func didSubscribe(mid: Int32, granted: [Int32]) {
        if granted.contains(0x80) {
            logger.error("MQTT broker refused a subscription (check the broker ACL)", metadata: ["mqtt.mid": "\(mid)"])
        }
        let ready = state.withLock { state in
            state.pendingSubscriptions.remove(mid)
            return state.takeSatisfiedWaiters()
        }
        for waiter in ready { waiter.resume() }
    }

    func didPublish(mid: Int32) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.untrackedPublishes.remove(mid) != nil { return nil }
            if let continuation = state.pendingPublishes.removeValue(forKey: mid) { return continuation }
            state.completedPublishes.insert(mid)
            return nil
        }
        continuation?.resume()
    }

    func didReceive(_ raw: mosquitto_message) {
        let topic = String(cString: raw.topic)
        let payload: [UInt8]
        if let bytes = raw.payload, raw.payloadlen > 0 {
            payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(raw.payloadlen)))
        } else {
            payload = []
        }
        state.withLock { $0.statistics.received += 1 }
        // May wait while the queue is full: that holds back the PUBACK, never drops the message.
        inbound.push(MQTTMessage(topic: topic, payload: payload, qos: raw.qos, retain: raw.retain))
    }

    func didLog(level: Int32, _ text: String) {
        switch level {
        case MOSQ_LOG_ERR:
            logger.error("libmosquitto: \(text)")
        case MOSQ_LOG_WARNING:
            logger.warning("libmosquitto: \(text)")
        default:
            logger.trace("libmosquitto: \(text)")
        }
    }
}
