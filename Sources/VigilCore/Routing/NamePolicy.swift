/// The strict rule for asset and signal names that come from outside (topic captures, SenML names).
///
/// A name is 1 to 64 characters of `A-Z a-z 0-9 _ . -` and is not made of dots alone, so it can
/// never change the shape of a topic it is put into (`/`, `+`, `#`), reach a parent path (`..`) or
/// carry control characters or escapes into logs and tables.
public enum NamePolicy {
    /// Whether `name` matches `^[A-Za-z0-9_.-]{1,64}$` and is not all dots.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        var allDots = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                allDots = false
            case UInt8(ascii: "."):
                continue
            default:
                return false
            }
        }
        return !allDots
    }
}
