internal import CVigilMosquitto

/// libmosquitto's process-wide initialisation, done once before the first client is created.
enum MQTTLibrary {
    private static let initialised: Bool = {
        mosquitto_lib_init()
        return true
    }()

    static func initialise() {
        _ = initialised
    }
}
