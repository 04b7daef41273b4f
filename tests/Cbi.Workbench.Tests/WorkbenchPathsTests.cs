using Cbi.Workbench.IO;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Tests;

public class WorkbenchPathsTests
{
    [Fact]
    public void root_is_the_folder_holding_the_solution()
    {
        Assert.True(File.Exists(Path.Combine(Workbench.Root, "Cbi.Workbench.sln")));
    }

    [Fact]
    public void atomic_write_leaves_the_old_file_when_the_writer_fails()
    {
        var dir = Directory.CreateTempSubdirectory("cbi-atomic").FullName;
        var path = Path.Combine(dir, "out.txt");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, tmp =>
        {
            File.WriteAllText(tmp, "half");
            throw new InvalidOperationException("writer failed");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }
}
