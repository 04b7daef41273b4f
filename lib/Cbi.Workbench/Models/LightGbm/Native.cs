using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Cbi.Workbench.Models.LightGbm;

/// <summary>A LightGBM C API call returned non-zero; <see cref="Exception.Message"/> carries LGBM_GetLastError's text.</summary>
internal sealed class LightGbmException(string call, string nativeMessage)
    : Exception($"LightGBM {call} failed: {nativeMessage}")
{
    public string Call { get; } = call;
    public string NativeMessage { get; } = nativeMessage;
}

/// <summary>The subset of the LightGBM 4.7 C API the workbench uses. Strings cross as NUL-terminated UTF-8
/// byte arrays we build ourselves, so no marshaller decides encodings or lifetimes for us.</summary>
internal static unsafe class Native
{
    const string Lib = "lib_lightgbm";
    internal const int Float32 = 0, Float64 = 1;
    internal const int PredictNormal = 0, PredictContrib = 3;
    internal const int ImportanceSplit = 0, ImportanceGain = 1;

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] static extern IntPtr LGBM_GetLastError();
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_DatasetCreateFromMat(void* data, int dataType, int nrow, int ncol, int isRowMajor,
        byte* parameters, IntPtr reference, out IntPtr handle);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_DatasetSetField(DatasetHandle handle, byte* fieldName, void* data, int numElement, int type);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_DatasetSetFeatureNames(DatasetHandle handle, byte** names, int count);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern int LGBM_DatasetFree(IntPtr handle);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterCreate(DatasetHandle train, byte* parameters, out IntPtr handle);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterAddValidData(BoosterHandle booster, DatasetHandle valid);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterUpdateOneIter(BoosterHandle booster, out int isFinished);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterGetEvalCounts(BoosterHandle booster, out int count);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterGetEval(BoosterHandle booster, int dataIndex, out int outLen, double* results);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterGetCurrentIteration(BoosterHandle booster, out int iteration);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterGetNumFeature(BoosterHandle booster, out int count);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterPredictForMat(BoosterHandle booster, void* data, int dataType, int nrow, int ncol,
        int isRowMajor, int predictType, int startIteration, int numIteration, byte* parameters, out long outLen, double* result);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterSaveModelToString(BoosterHandle booster, int startIteration, int numIteration,
        int featureImportanceType, long bufferLen, out long outLen, byte* outStr);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterLoadModelFromString(byte* model, out int numIterations, out IntPtr handle);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int LGBM_BoosterFeatureImportance(BoosterHandle booster, int numIteration, int importanceType, double* results);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] internal static extern int LGBM_BoosterFree(IntPtr handle);

    /// <summary>Throws with LightGBM's own error text when a call returned non-zero.</summary>
    internal static void Check(int rc, string call)
    {
        if (rc == 0) return;
        var p = LGBM_GetLastError();
        var msg = p == IntPtr.Zero ? "(no message)" : Marshal.PtrToStringUTF8(p) ?? "(no message)";
        throw new LightGbmException(call, msg);
    }

    internal static byte[] Utf8z(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        var b = new byte[n + 1];
        Encoding.UTF8.GetBytes(s, 0, s.Length, b, 0);
        return b;
    }
}

/// <summary>Owns a native Dataset; freed exactly once on Dispose (or by the finalizer as a last resort).</summary>
internal sealed class DatasetHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DatasetHandle() : base(true) { }
    internal DatasetHandle(IntPtr h) : base(true) => SetHandle(h);
    protected override bool ReleaseHandle() => Native.LGBM_DatasetFree(handle) == 0;
}

/// <summary>Owns a native Booster; freed exactly once on Dispose (or by the finalizer as a last resort).</summary>
internal sealed class BoosterHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public BoosterHandle() : base(true) { }
    internal BoosterHandle(IntPtr h) : base(true) => SetHandle(h);
    protected override bool ReleaseHandle() => Native.LGBM_BoosterFree(handle) == 0;
}
