import Dispatch
import Foundation
import ReckonCore
import TestSupport
import Testing

@testable import ModelBuild

/// The order in which a build hands out its models to its connections (`--jobs`): file
/// order, a model once its refs are built, and on Citus the distributed models one at a time.
@Suite struct ModelSchedulerTests {
    /// The shipped models' shape: the event chain, the parameters beside it, a small
    /// reference model, and the mart that needs them all.
    static let models = ["stg_events", "int_event_aggregates", "int_session_params", "int_subscription_sessions", "mart"]
    static let dependencies: [String: Set<String>] = [
        "int_event_aggregates": ["stg_events"],
        "mart": ["int_event_aggregates", "int_session_params", "int_subscription_sessions"],
    ]

    /// `next()` on another thread; the result, or nil when it is still waiting after `seconds`.
    func nextWithin(_ seconds: Double, _ scheduler: ModelScheduler) -> (waiting: DispatchSemaphore, result: Box) {
        let box = Box()
        let semaphore = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.set(scheduler.next())
            semaphore.signal()
        }
        _ = semaphore.wait(timeout: .now() + seconds)
        return (semaphore, box)
    }

    @Test func withoutARuleIndependentModelsRunSideBySide() {
        let scheduler = ModelScheduler(models: Self.models, dependencies: Self.dependencies)
        #expect(scheduler.next() == "stg_events")
        #expect(scheduler.next() == "int_session_params")
        #expect(scheduler.next() == "int_subscription_sessions")
    }

    @Test func aModelOneAtATimeWaitsWhileAnotherRunsAndSmallModelsRunBeside() {
        let scheduler = ModelScheduler(
            models: Self.models, dependencies: Self.dependencies,
            oneAtATime: ["stg_events", "int_event_aggregates", "int_session_params", "mart"])
        #expect(scheduler.next() == "stg_events")
        // The parameters wait for the event chain's step; the small model runs beside it.
        #expect(scheduler.next() == "int_subscription_sessions")
        scheduler.finished("int_subscription_sessions")
        let waiting = nextWithin(0.3, scheduler)
        #expect(waiting.result.value == nil, "a second distributed model started beside stg_events")
        scheduler.finished("stg_events")
        #expect(waiting.waiting.wait(timeout: .now() + 5) == .success)
        // Once it is done the next one in file order whose refs are built runs, alone.
        #expect(waiting.result.value == "int_event_aggregates")
        let second = nextWithin(0.3, scheduler)
        #expect(second.result.value == nil)
        scheduler.finished("int_event_aggregates")
        #expect(second.waiting.wait(timeout: .now() + 5) == .success)
        #expect(second.result.value == "int_session_params")
        scheduler.finished("int_session_params")
        #expect(scheduler.next() == "mart")
        scheduler.finished("mart")
        #expect(scheduler.next() == nil)
        #expect(scheduler.failure == nil)
    }

    @Test func onCitusTheDistributedShippedModelsRunOneAtATime() throws {
        let project = try ModelProject.load(directory: TestDatabase.repositoryRoot.appendingPathComponent("models").path)
        #expect(
            CitusBuild.modelsOneAtATime(project.models)
                == [
                    "stg_events", "int_event_aggregates", "int_session_params", "int_facebook_match", "int_session_revenue",
                    "mart_marketing_attribution",
                ])
    }
}

/// A value written by one thread and read by another.
final class Box: @unchecked Sendable {
    // Safety: `stored` is only read or written while `lock` is held.
    private let lock = NSLock()
    private var stored: String?

    func set(_ value: String?) {
        lock.lock()
        stored = value
        lock.unlock()
    }

    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
