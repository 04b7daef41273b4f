using Cbi.Workbench.Data;

namespace Cbi.Workbench.Tests.Data;

/// <summary>Builds the real warehouse from data/raw once for every test class in the "warehouse" collection.</summary>
public sealed class WarehouseFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("cbi-wh-").FullName;
    public string Path { get; }
    public Warehouse.BuildReport Report { get; }

    public WarehouseFixture()
    {
        Path = System.IO.Path.Combine(Dir, "warehouse.duckdb");
        Report = Warehouse.Build(warehousePath: Path, log: TextWriter.Null);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

[CollectionDefinition("warehouse")]
public sealed class WarehouseCollection : ICollectionFixture<WarehouseFixture>;

/// <summary>A scratch copy of data/raw that a test may damage; the manifest is regenerated so that the damage
/// reaches the loaders (or is kept stale to test the hash check).</summary>
internal sealed class ScratchRaw : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("cbi-raw-").FullName;

    public ScratchRaw()
    {
        foreach (var f in Directory.EnumerateFiles(Workbench.RawDir, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(Dir, System.IO.Path.GetRelativePath(Workbench.RawDir, f));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            System.IO.File.Copy(f, target);
        }
    }

    public string File(string rel) => System.IO.Path.Combine(Dir, rel);

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
