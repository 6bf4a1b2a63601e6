import Testing
import VigilCore

@Suite struct TopicPatternTests {
    @Test func capturesNamedLevels() throws {
        let pattern = try TopicPattern("plant/{asset}/{signal}")
        #expect(pattern.subscriptionFilter == "plant/+/+")
        #expect(pattern.match("plant/pump-1/pressure") == ["asset": "pump-1", "signal": "pressure"])
        #expect(pattern.match("plant/pump-1") == nil)
        #expect(pattern.match("plant/pump-1/pressure/extra") == nil)
        #expect(pattern.match("other/pump-1/pressure") == nil)
    }

    @Test func keepsMQTTWildcardMeaning() throws {
        let multi = try TopicPattern("plant/#")
        #expect(multi.match("plant") == [:])
        #expect(multi.match("plant/a/b/c") == [:])
        let leading = try TopicPattern("+/x")
        #expect(leading.match("$SYS/x") == nil)
        #expect(leading.match("a/x") == [:])
    }

    @Test(arguments: ["", "a/#/b", "a/b+/c", "a/{x}/{x}", "a/{1x}", "a/x{y}"])
    func refusesInvalidPatterns(_ text: String) {
        #expect(throws: TopicPattern.InvalidPattern.self) { try TopicPattern(text) }
    }

    @Test func expandsTemplates() {
        #expect(TopicPattern.expand("line1-{asset}", with: ["asset": "p1"]) == "line1-p1")
        #expect(TopicPattern.expand("fixed", with: ["asset": "p1"]) == "fixed")
    }

    @Test(arguments: ["pump-1", "a.b_c-D9", String(repeating: "x", count: 64)])
    func acceptsStrictNames(_ name: String) {
        #expect(NamePolicy.isValid(name))
    }

    @Test(arguments: [
        "", "a/b", "+", "#", "..", ".", "a b", "a\u{1B}[31m", "a\u{0}", "é", "x;DROP TABLE",
        String(repeating: "x", count: 65),
    ])
    func refusesHostileNames(_ name: String) {
        #expect(!NamePolicy.isValid(name))
    }
}
