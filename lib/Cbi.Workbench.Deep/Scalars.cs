using TorchSharp;

namespace Cbi.Workbench.Deep;

/// <summary>The scalars the nets' forward passes and losses use, made once and kept for the process's life. TorchSharp
/// turns a number passed to a tensor operation into a native Scalar that nothing keeps alive after its handle is read,
/// so a garbage collection on another thread can free it while libtorch still reads it ("Expected false to be true …
/// toFloat at c10/core/Scalar.h" in <c>elu</c>, seen in fresh-clone test runs; TorchSharp pull requests #1434 and #1496
/// are about these implicit scalars). A scalar held by a static field cannot be collected.</summary>
internal static class Scalars
{
    internal static readonly Scalar One = 1.0.ToScalar();
    internal static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
}
