using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Invariants;
using Xunit;

namespace Kvmspec.Properties.Docs;

/// <summary>docs/invariants.md keeps step with the code: one section per invariant id, its
/// statement verbatim, every path, and every variant that declares a violation of it.</summary>
public class DocsInStepTests
{
    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Model.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("Model.sln not found above " + AppContext.BaseDirectory);
    }

    private static readonly string Doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "invariants.md"));

    private static string Section(string id)
    {
        var start = Doc.IndexOf($"\n## {id}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/invariants.md has no '## {id}' heading");
        var end = Doc.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? Doc[start..] : Doc[start..end];
    }

    public static TheoryData<string> Ids => [.. Arm64Invariants.All.Select(i => i.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void InvariantSection_HasStatementPathsAndViolatingVariants(string id)
    {
        var inv = Arm64Invariants.Find(id)!;
        var section = Section(id);
        Assert.Contains(inv.Statement, section);
        foreach (var p in inv.Paths) Assert.Contains($"`{p}`", section);
        foreach (var v in Arm64Variants.All.Where(v => v.ExpectedViolations.Any(k => k.StartsWith(id + ":", StringComparison.Ordinal))))
            Assert.Contains($"`{v.Id}`", section);
    }

    [Fact]
    public void Doc_HasNoSectionForAnUnknownInvariant()
    {
        var headings = Doc.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim());
        var known = Arm64Invariants.All.Concat(X86Invariants.All).Select(i => i.Id).ToHashSet();
        foreach (var h in headings.Where(h => h.ToUpperInvariant() == h && h.Contains('-')))
            Assert.Contains(h, known);
    }
}
