namespace Cbi.Workbench.Models;

/// <summary>Counts the native objects (LightGBM boosters, libtorch modules) held by live forecasters, so the
/// contract tests can check that disposing a model releases what it held. Counted per thread (models are created,
/// used and disposed on one thread), so tests running in parallel do not disturb each other's counts.</summary>
internal static class NativeResources
{
    [ThreadStatic] static long live;
    internal static long Live => live;
    internal static void Acquired() => live++;
    internal static void Released() => live--;
}
