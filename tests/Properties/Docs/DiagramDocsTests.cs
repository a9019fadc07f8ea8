using Kvmspec.Model.Exploration;
using Kvmspec.Model.Machines;
using Xunit;

namespace Kvmspec.Properties.Docs;

/// <summary>docs/machines.md keeps step with the tables: every declared machine has its generated
/// Mermaid block, each block is exactly what <c>kvmspec graph</c> draws today, and the pages that
/// mention the machines link to it. Nothing here writes a file.</summary>
public class DiagramDocsTests
{
    private static readonly string Root = DocsInStepTests.RepoRoot();
    private static readonly string Doc = File.ReadAllText(Path.Combine(Root, "docs", "machines.md")).Replace("\r\n", "\n");

    private static readonly string Stale = $"docs/machines.md is out of step with the machine tables; regenerate it with:\n  {MachineDocs.RegenerateCommand}";

    public static TheoryData<string> Machines => [.. Catalogue.All.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(Machines))]
    public void MachinesDoc_HasEachMachinesGeneratedDiagram_AsGraphDrawsIt(string name)
    {
        var m = Catalogue.Find(name)!;
        var block = MachineDocs.Find(Doc, name);
        Assert.True(block is not null, $"docs/machines.md has no '{MachineDocs.Begin(name)}' ... '{MachineDocs.End}' block. {Stale}");
        Assert.True(block == MachineDocs.Block(m), $"the diagram of {name} differs from its table. {Stale}");
    }

    [Fact]
    public void MachinesDoc_Regenerated_IsUnchanged()
    {
        var regenerated = MachineDocs.Regenerate(Doc, Catalogue.All);
        Assert.True(regenerated == Doc, Stale);
    }

    [Fact]
    public void MachinesDoc_HasNoBlockForAnUnknownMachine_AndNoneTwice()
    {
        var names = MachineDocs.BlockNames(Doc);
        foreach (var n in names)
            Assert.True(Catalogue.Find(n) is not null, $"docs/machines.md has a generated block for '{n}', which is not in Catalogue.All");
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void MachinesDoc_HasAHeadingAndAnIntroductionPerMachine()
    {
        foreach (var m in Catalogue.All)
        {
            var heading = Doc.IndexOf($"\n### {m.Name}\n", StringComparison.Ordinal);
            var block = Doc.IndexOf(MachineDocs.Begin(m.Name), StringComparison.Ordinal);
            Assert.True(heading >= 0, $"docs/machines.md has no '### {m.Name}' heading");
            Assert.True(block - heading > 200, $"docs/machines.md: '### {m.Name}' needs a short introduction before its diagram");
        }
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/invariants.md")]
    public void PagesThatMentionTheMachines_LinkToTheDiagrams(string page)
    {
        var text = File.ReadAllText(Path.Combine(Root, page));
        Assert.Contains("machines.md", text);
    }
}
