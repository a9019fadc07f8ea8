using FsCheck.Fluent;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Machines;
using Kvmspec.Properties.Support;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Model;

/// <summary>STYLE.md §3 totality: every (state, trigger) pair of every declared machine is
/// handled by a row or ignored with a reason, and no run ever meets an unhandled pair.</summary>
public class MachineTotalityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Machines => [.. Catalogue.All.Select(m => m.Name)];
    public static TheoryData<string> VariantIds => [.. Arm64Variants.All.Select(v => v.Id)];

    [Theory]
    [MemberData(nameof(Machines))]
    public void Machine_HandlesOrIgnoresEveryPair(string name)
    {
        var m = Catalogue.Find(name)!;
        var missing = m.Unhandled().ToList();
        Assert.True(missing.Count == 0, $"{name}: no row and no ignore entry for " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Machines))]
    public void Machine_IgnoredPairsAllHaveReasons(string name) =>
        Assert.All(Catalogue.Find(name)!.IgnoredPairs(), p => Assert.False(string.IsNullOrWhiteSpace(p.Reason)));

    [Theory]
    [MemberData(nameof(VariantIds))]
    public void RandomRuns_NeverMeetAnUnhandledPair(string id)
    {
        var v = Arm64Variants.Find(id)!;
        Props.Check(Gens.Scripts, s => Simulator.Execute(v, s).Unhandled is not { } u ? true.ToProperty() : false.Label(u), output, maxTest: 150);
    }

    [Fact]
    public void Guards_AndEffects_AreNamed()
    {
        foreach (var m in Catalogue.All)
            foreach (var (from, to, label) in m.Edges())
                Assert.DoesNotContain("=>", label);
    }

    [Fact]
    public void Graph_RendersEveryMachine_InMermaidAndDot()
    {
        foreach (var m in Catalogue.All)
        {
            var mermaid = MachineGraph.Mermaid(m);
            var dot = MachineGraph.Dot(m);
            Assert.StartsWith("stateDiagram-v2", mermaid);
            Assert.Contains($"digraph {m.Name}", dot);
            foreach (var s in m.States.Where(s => m.Edges().Any(e => e.From == s)))
                Assert.Contains(s, mermaid);
        }
    }
}
