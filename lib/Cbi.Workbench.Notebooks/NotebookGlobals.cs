namespace Cbi.Workbench.Notebooks;

/// <summary>What notebook code sees as globals under the headless runner. VS Code Polyglot gives C# cells a
/// global <c>display(value, params string[] mimeTypes)</c>; this class gives the same call shape, so a cell that
/// calls <c>display(x);</c> compiles and shows the same outputs in both places. (Polyglot's returns a
/// DisplayedValue handle; notebooks meant for both must not use the return value.)</summary>
public class NotebookGlobals
{
    internal CellOutputCollector? Collector { get; set; }

    /// <summary>Shows <paramref name="value"/> as a display_data output (text/html and text/plain, or the given
    /// mime types).</summary>
    /// <param name="value">The value to show.</param>
    /// <param name="mimeTypes">Mime types to produce; none = text/html and text/plain.</param>
    /// <exception cref="InvalidOperationException">Called outside a running cell.</exception>
    public void display(object? value, params string[] mimeTypes)
    {
        var collector = Collector ?? throw new InvalidOperationException("display() called outside a running cell.");
        collector.AddDisplay(CellDisplay.Format(value, mimeTypes));
    }
}
