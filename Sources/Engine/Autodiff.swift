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

extension Tensor {
    /// The gradient buffer for a backward rule that writes every one of its elements. With no
    /// gradient yet it is fresh, uninitialised memory and `assign` is true: the rule stores its
    /// values (no zero fill, no read of the old ones). Otherwise it is the gradient so far and
    /// the rule adds. Either way the result equals adding into a zero-filled buffer; rules write
    /// `(assign ? 0 : old) + value`, which is that arithmetic exactly.
    func gradForWriting() -> (pointer: UnsafeMutablePointer<Float>, assign: Bool) {
        if let g = grad { return (g.data, false) }
        let g = Tensor(uninitializedShape: shape)
        grad = g
        return (g.data, true)
    }

    /// Adds `g` (as many values as this tensor, in the same order) to the gradient; with no
    /// gradient yet, `g`'s storage becomes the gradient, with no copy. For rules whose input
    /// gradient is the output gradient unchanged (reshape, the residual path of `x + f(x)`):
    /// the output's gradient is read by nothing after its rule, so it can be handed on. At most
    /// one input of a rule may take it.
    func addGrad(taking g: Tensor) {
        precondition(g.count == count, "gradient of \(g.count) values for a tensor of \(count)")
        guard let existing = grad else {
            grad = Tensor(shape: shape, storage: g.storage)
            return
        }
        let (pg, gx) = (SharedPointer(g.data), SharedPointer(existing.data))
        parallelChunks(count, minChunk: 8192) { r in for i in r { gx[i] += pg[i] } }
    }
}
