/// How a tensor was computed: its inputs and the rule that turns the output's gradient into
/// the inputs' gradients.
///
/// The closure receives the output gradient as an argument and captures only the inputs (and,
/// where the rule needs them, saved values such as softmax probabilities), never the output
/// tensor itself: output -> node -> closure -> output would be a retain cycle.
final class Node {
    let inputs: [Tensor]
    let backward: (Tensor) -> Void
    init(inputs: [Tensor], backward: @escaping (Tensor) -> Void) {
        self.inputs = inputs
        self.backward = backward
    }
}

/// Global switch for gradient recording.
public enum Graph {
    // Graphs are built and walked on one thread (kernels parallelise inside an op), so this
    // unsynchronised flag is never raced.
    nonisolated(unsafe) public private(set) static var isRecording = true

    /// Runs `body` with recording off: ops build no graph (inference, evaluation, decoding).
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        let saved = isRecording
        isRecording = false
        defer { isRecording = saved }
        return try body()
    }
}

extension Tensor {
    /// Attaches a backward rule to `self` (an op's freshly made output) if recording is on and
    /// any input needs a gradient. Ops call this last; it returns `self` for chaining.
    @discardableResult
    func record(_ inputs: [Tensor], _ backward: @escaping (_ gradOutput: Tensor) -> Void) -> Tensor {
        guard Graph.isRecording, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = Node(inputs: inputs, backward: backward)
        return self
    }

    /// Backpropagates from this one-element tensor (a loss): fills `grad` of every leaf that
    /// requires it, adding to what is already there, then frees the graph.
    ///
    /// Iterative depth-first topological sort (no recursion: deep graphs would overflow the
    /// stack). Intermediate gradients, and activations no remaining rule reads, are released as soon as
    /// their node has run.
    public func backward() {
        precondition(count == 1, "backward() starts from a one-element loss, got shape \(shape)")
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (t, expanded) = stack.popLast() {
            if expanded { order.append(t); continue }
            guard t.node != nil, visited.insert(ObjectIdentifier(t)).inserted else { continue }
            stack.append((t, true))
            for input in t.node!.inputs where input.node != nil && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        gradPointer().pointee += 1
        // Popping (rather than iterating) drops `order`'s reference as each node runs, so a
        // forward activation is freed as soon as the last backward rule that reads it is done,
        // instead of every activation living until the end of the walk.
        while let t = order.popLast() {
            guard let node = t.node else { continue }
            if let g = t.grad { node.backward(g) }
            t.node = nil
            t.grad = nil  // intermediate: nobody reads it after its node ran
        }
    }
}
