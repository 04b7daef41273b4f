using System.Text;

namespace Cbi.Workbench.Notebooks;

/// <summary>Collects one cell's outputs in the order they happen: consecutive writes to the same stream merge
/// into one stream output, display() calls interleave between them.</summary>
internal sealed class CellOutputCollector
{
    readonly object gate = new();
    public List<CellOutput> Outputs { get; } = [];

    public TextWriter Writer(string streamName) => new StreamWriterImpl(this, streamName);

    public void AddDisplay(List<KeyValuePair<string, string>> data)
    {
        lock (gate) Outputs.Add(CellOutput.Display(data));
    }

    public void Add(CellOutput output)
    {
        lock (gate) Outputs.Add(output);
    }

    void Append(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (Outputs.Count > 0 && Outputs[^1] is { OutputType: "stream" } last && last.Name == stream) last.Text += text;
            else Outputs.Add(CellOutput.Stream(stream, text));
        }
    }

    sealed class StreamWriterImpl(CellOutputCollector owner, string stream) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => owner.Append(stream, value.ToString());
        public override void Write(string? value) => owner.Append(stream, value ?? "");
        public override void Write(char[] buffer, int index, int count) => owner.Append(stream, new string(buffer, index, count));
        public override void WriteLine(string? value) => owner.Append(stream, (value ?? "") + "\n");
        public override void WriteLine() => owner.Append(stream, "\n");
    }
}
