using System.Globalization;
using System.Runtime.CompilerServices;

namespace Cbi.Workbench;

/// <summary>Every number and date the workbench shows or writes is culture-invariant (a decimal point, ISO dates), in
/// every host: a notebook's own string interpolation (<c>$"{x:F1}"</c>) formats with the current culture, so the library
/// makes the invariant culture, with ISO 8601 dates, the process's from the first use of any workbench type (a module
/// initializer) — in <c>cbi</c>, <c>cbi run</c>, <c>dotnet repl</c> and VS Code's kernel alike; every notebook uses one
/// (the run profile) before it shows a number. Without it, a machine with LANG=de_DE.UTF-8 printed <c>14.07.2026</c> and <c>0,0125</c>
/// where CI prints <c>2026-07-14</c> and <c>0.0125</c>.</summary>
internal static class InvariantCulture
{
#pragma warning disable CA2255 // a library module initializer is the point: whoever loads the library gets one culture
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        CultureInfo.DefaultThreadCurrentCulture = Culture;
        CultureInfo.DefaultThreadCurrentUICulture = Culture;
        CultureInfo.CurrentCulture = Culture;
        CultureInfo.CurrentUICulture = Culture;
    }

    /// <summary>The invariant culture with ISO 8601 dates and 24-hour times (the invariant culture's own short date is
    /// MM/dd/yyyy), read-only.</summary>
    internal static readonly CultureInfo Culture = Iso();

    static CultureInfo Iso()
    {
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.DateTimeFormat.ShortDatePattern = "yyyy-MM-dd";
        c.DateTimeFormat.LongDatePattern = "yyyy-MM-dd";
        c.DateTimeFormat.ShortTimePattern = "HH:mm";
        c.DateTimeFormat.LongTimePattern = "HH:mm:ss";
        c.DateTimeFormat.FullDateTimePattern = "yyyy-MM-dd HH:mm:ss";
        return CultureInfo.ReadOnly(c);
    }
}
