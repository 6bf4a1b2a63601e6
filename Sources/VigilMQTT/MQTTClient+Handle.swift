internal import CVigilMosquitto
internal import Logging

extension MQTTClient {
    /// Creates and configures the libmosquitto handle for these options.
    func makeHandle() throws(MQTTError) -> OpaquePointer {
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let handle = mosquitto_new(options.clientID, options.cleanSession, context) else {
            throw MQTTError.library(MOSQ_ERR_NOMEM.rawValue, "mosquitto_new")
        }
        do {
            try configure(handle)
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        return handle
    }

    private func configure(_ handle: OpaquePointer) throws(MQTTError) {
        func check(_ rc: Int32, _ operation: String) throws(MQTTError) {
            guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library(rc, operation) }
        }
        // Another thread (ours) runs the loop, and Swift tasks publish concurrently.
        try check(mosquitto_threaded_set(handle, true), "mosquitto_threaded_set")
        try check(
            mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V311)),
            "mosquitto_int_option"
        )
        try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), "mosquitto_int_option")
        if let username = options.username {
            try check(mosquitto_username_pw_set(handle, username, options.password), "mosquitto_username_pw_set")
        }
        if let will = options.will {
            let rc = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set(handle, will.topic, Int32(bytes.count), bytes.baseAddress, will.qos, will.retain)
            }
            try check(rc, "mosquitto_will_set")
        }
        if let tls = options.tls {
            try check(mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil), "mosquitto_tls_set")
            // Verify the peer; a nil version lets OpenSSL negotiate TLS 1.2 or 1.3 and nothing older.
            try check(mosquitto_tls_opts_set(handle, 1, nil, nil), "mosquitto_tls_opts_set")
            try check(mosquitto_tls_insecure_set(handle, false), "mosquitto_tls_insecure_set")
        }
        mosquitto_connect_callback_set(handle) { handle, context, rc in
            MQTTClient.from(context).didConnect(handle, rc: rc)
        }
        mosquitto_disconnect_callback_set(handle) { handle, context, rc in
            MQTTClient.from(context).didDisconnect(handle, rc: rc)
        }
        mosquitto_subscribe_callback_set(handle) { _, context, mid, count, granted in
            MQTTClient.from(context).didSubscribe(
                mid: mid,
                granted: Array(UnsafeBufferPointer(start: granted, count: Int(count)))
            )
        }
        mosquitto_publish_callback_set(handle) { _, context, mid in
            MQTTClient.from(context).didPublish(mid: mid)
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            guard let message else { return }
            MQTTClient.from(context).didReceive(message.pointee)
        }
        mosquitto_log_callback_set(handle) { _, context, level, text in
            guard let text else { return }
            MQTTClient.from(context).didLog(level: level, String(cString: text))
        }
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> MQTTClient {
        // The context was set in makeHandle from an MQTTClient that outlives its handle.
        Unmanaged<MQTTClient>.fromOpaque(context!).takeUnretainedValue()
    }
}
