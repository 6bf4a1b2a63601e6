internal import CVigilMosquitto
internal import Logging

extension MQTTClient {
    /// Creates and configures the libmosquitto handle for these options, with its TLS context when
    /// the options ask for TLS. The caller frees the context after `mosquitto_destroy`.
    func makeHandle() throws(MQTTError) -> (handle: OpaquePointer, tls: TLSClientContext?) {
        let tls = try options.tls.map { tls throws(MQTTError) in try TLSClientContext(tls, host: options.host) }
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let handle = mosquitto_new(options.clientID, options.cleanSession, context) else {
            tls?.free()
            throw MQTTError.library(MOSQ_ERR_NOMEM.rawValue, "mosquitto_new")
        }
        do {
            try configure(handle, tls: tls)
        } catch {
            mosquitto_destroy(handle)
            tls?.free()
            throw error
        }
        return (handle, tls)
    }

    private func configure(_ handle: OpaquePointer, tls: TLSClientContext?) throws(MQTTError) {
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
        if let tls {
            // Our context, used as it is: with defaults on, libmosquitto would replace its verify
            // callback (and so lose the reason a certificate was refused). libmosquitto takes its
            // own reference and uses the context for every TLS connection of this handle.
            try check(mosquitto_int_option(handle, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0), "mosquitto_int_option")
            try check(mosquitto_void_option(handle, MOSQ_OPT_SSL_CTX, tls.rawPointer), "mosquitto_void_option")
            // libmosquitto's own host name check lives in the verify callback our context replaces
            // (OpenSSL checks the host name instead); insecure mode stays off all the same.
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
