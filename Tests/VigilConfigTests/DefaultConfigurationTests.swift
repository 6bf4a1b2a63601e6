import Foundation
import Testing
import VigilConfig
import VigilTestSupport

/// The shipped defaults are the files in examples/, and the daemon accepts them.
@Suite struct DefaultConfigurationTests {
    @Test(arguments: [("univariate", false), ("multivariate", true)])
    func theBuiltInDefaultIsTheExampleFile(_ name: String, _ multivariate: Bool) throws {
        let path = Repository.root.appendingPathComponent("examples/\(name).yaml").path
        let file = try String(contentsOfFile: path, encoding: .utf8)
        #expect(file == (multivariate ? DefaultConfiguration.multivariateText : DefaultConfiguration.univariateText))
        let configuration = try DefaultConfiguration.load(multivariate: multivariate)
        #expect(configuration.assets.count == 1)
        #expect(configuration.profiles.count == 1)
    }
}
