namespace Cbi.Workbench.Models;

/// <summary>Counts the native objects (LightGBM boosters, libtorch modules) held by live forecasters, so the
/// contract tests can check that disposing a model releases what it held.</summary>
internal static class NativeResources
{
    static long live;
    internal static long Live => Interlocked.Read(ref live);
    internal static void Acquired() => Interlocked.Increment(ref live);
    internal static void Released() => Interlocked.Decrement(ref live);
}
