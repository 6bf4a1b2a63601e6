internal import Synchronization
internal import VigilCore

/// What the pipeline and the retraining service share: the pipeline asks for a retraining when a
/// failure label completes a run of an entry with `retrain: true`; the retraining service hands back
/// models that validated no worse, which the pipeline takes up at its next message.
public final class PrognosisLink: Sendable {
    /// Entries whose model is retrained on the gateway (indices into the profiles).
    public let retrainedEntries: Set<Int>
    /// A request to retrain an entry from the runs of its assets.
    struct RetrainRequest: Sendable {
        var entry: Int
        var assets: [String]
    }

    private let requests: AsyncStream<RetrainRequest>.Continuation
    /// Entries named by failure labels, in order, for the retraining service.
    let retrainRequests: AsyncStream<RetrainRequest>
    private let replacements = Mutex<[Int: any RemainingLifeEstimator]>([:])

    /// Creates a link; `retrainedEntries` are the entries with `prognosis.retrain: true`.
    public init(retrainedEntries: Set<Int> = []) {
        self.retrainedEntries = retrainedEntries
        (retrainRequests, requests) = AsyncStream.makeStream(
            of: RetrainRequest.self,
            bufferingPolicy: .bufferingNewest(64)
        )
    }

    /// Asks for the entry's model to be retrained from its assets' runs (a failure label completed
    /// one of them).
    func requestRetraining(of entry: Int, assets: [String]) {
        guard retrainedEntries.contains(entry) else { return }
        requests.yield(RetrainRequest(entry: entry, assets: assets))
    }

    /// Ends the requests (at shutdown).
    func finish() {
        requests.finish()
    }

    /// Offers a model that replaces an entry's current one.
    func offer(_ model: any RemainingLifeEstimator, for entry: Int) {
        replacements.withLock { $0[entry] = model }
    }

    /// The models offered since the last call, by entry.
    func takeReplacements() -> [Int: any RemainingLifeEstimator] {
        replacements.withLock { pending in
            defer { pending = [:] }
            return pending
        }
    }
}
