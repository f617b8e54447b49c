// Behaviour of the engine beyond single ops: buffer reuse, masks, frozen weights, system libraries.

import CReadline
import XCTest
@testable import Tensors

final class EngineTests: XCTestCase {
    func testArenaReusesBuffersButNeverOneStillHeld() {
        let g = Graph(recording: false)
        let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let first = g.scale(x, 2)
        let firstStorage = ObjectIdentifier(first.storage)
        g.reset()
        let second = g.scale(x, 3)   // `first` is still held: must get fresh memory
        XCTAssertNotEqual(ObjectIdentifier(second.storage), firstStorage)
        XCTAssertEqual(first.scalars, [2, 4, 6, 8])
        g.reset()
        let secondStorage = ObjectIdentifier(second.storage)
        _ = consume second
        let third = g.scale(x, 4)    // slot 0 now holds only the arena's reference: reused
        XCTAssertEqual(ObjectIdentifier(third.storage), secondStorage)
        XCTAssertEqual(third.scalars, [4, 8, 12, 16])
    }

    func testOptimizerLeavesMaskedAndFrozenWeightsExactlyUnchanged() {
        let w = Tensor(shape: [4], scalars: [1, 2, 3, 4], name: "w", isParameter: true)
        let frozen = Tensor(shape: [2], scalars: [5, 6], name: "f", isParameter: true)
        w.gradientMask = Tensor(shape: [4], scalars: [1, 0, 1, 0])
        for optimizer in [Adam([w, frozen], learningRate: 0.1, weightDecay: 0.5, decoupled: true) as Optimizer,
                          SGD([w, frozen], learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)] {
            frozen.isFrozen = false
            let g = Graph()
            g.backward(g.add(g.sum(g.mul(w, w)), g.sum(frozen)))
            frozen.isFrozen = true
            let before = w.scalars
            optimizer.step()
            XCTAssertEqual(w.scalars[1], before[1])
            XCTAssertEqual(w.scalars[3], before[3])
            XCTAssertNotEqual(w.scalars[0], before[0])
            XCTAssertEqual(frozen.scalars, [5, 6])
            optimizer.zeroGradients()
            XCTAssertEqual(w.grad!.scalars, [0, 0, 0, 0])
        }
    }

    func testNoRecordingGraphBuildsNoTape() {
        let w = Tensor(shape: [3, 3], scalars: (0..<9).map(Float.init), name: "w", isParameter: true)
        let g = Graph()
        let y = g.withoutRecording { g.matmul(w, w) }
        XCTAssertEqual(g.recordedOps, 0)
        XCTAssertFalse(y.requiresGrad)
        _ = g.matmul(w, w)
        XCTAssertEqual(g.recordedOps, 1)
    }

    func testSystemLibrariesLink() {
        XCTAssertFalse(String(cString: seqlab_rl_library_version()).isEmpty)
        XCTAssertFalse(BLAS.coreName.isEmpty)
        let saved = BLAS.threads
        BLAS.threads = 1
        XCTAssertEqual(BLAS.threads, 1)
        BLAS.threads = saved
    }
}
