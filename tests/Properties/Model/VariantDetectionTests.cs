using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Invariants;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Model;

/// <summary>For every variant, the violations exploration finds equal the ones it declares, both
/// ways, with the shrunk counterexample printed on failure; every invariant fails somewhere.</summary>
public class VariantDetectionTests(ITestOutputHelper output)
{
    public const int Traces = 500;
    public static readonly ulong[] Seeds = [1, 2];

    public static TheoryData<string> VariantIds => [.. Arm64Variants.All.Select(v => v.Id)];

    private static readonly Dictionary<(string, ulong), VariantReport> Cache = [];

    public static VariantReport Explore(Variant v, ulong seed)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue((v.Id, seed), out var r)) Cache[(v.Id, seed)] = r = RandomExplorer.Explore(v, Traces, 24, seed);
            return r;
        }
    }

    [Theory]
    [MemberData(nameof(VariantIds))]
    public void Variant_FoundViolations_EqualDeclared(string id)
    {
        var v = Arm64Variants.Find(id)!;
        foreach (var seed in Seeds)
        {
            var r = Explore(v, seed);
            var problems = new List<string>();
            foreach (var k in r.Unexpected)
            {
                var cx = (Counterexample)r.Found[k];
                problems.Add($"found but not declared: {k}\n  {cx.Violation.Message}\n  program: {cx.Script.Program}\n{LaneDiagram.Text(cx.Trace, cx.Violation.EventIndex)}");
            }
            foreach (var k in r.Missing) problems.Add($"declared but not found in {Traces} traces + corpus (seed {seed}): {k}");
            foreach (var u in r.Unhandled) problems.Add($"model finding: {u}");
            output.WriteLine($"{id} seed {seed}: found {string.Join(", ", r.Found.Keys)}");
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }

    [Theory]
    [MemberData(nameof(VariantIds))]
    public void Variant_DeclaresAReasonAndKnownKeyForEveryViolation(string id)
    {
        var v = Arm64Variants.Find(id)!;
        Assert.NotEmpty(v.Sources);
        foreach (var key in v.ExpectedViolations)
        {
            Assert.True(v.Reasons.ContainsKey(key), $"{id} declares {key} without a reason");
            var (inv, path) = (key.Split(':')[0], key.Split(':')[1]);
            Assert.True(Arm64Invariants.Find(inv)?.Paths.Contains(path) == true, $"{id} declares unknown key {key}");
        }
        Assert.Empty(v.Reasons.Keys.Except(v.ExpectedViolations));
    }

    [Fact]
    public void EveryInvariant_IsViolatedByAtLeastOneVariant_WithAMinimalCounterexample()
    {
        foreach (var inv in Arm64Invariants.All)
        {
            var hit = Arm64Variants.All.Select(v => (v, r: Explore(v, Seeds[0])))
                .SelectMany(x => x.r.Found.Where(f => f.Value.Violation.Invariant == inv.Id).Select(f => (x.v, Value: (Counterexample)f.Value)))
                .FirstOrDefault();
            Assert.True(hit.Value is not null, $"no variant violates {inv.Id}");
            var (v, cx) = hit;
            // Minimal: removing any single action or simplifying the program no longer shows the violation.
            foreach (var smaller in Shrinker.Candidates(cx.Script))
                Assert.DoesNotContain(Judge.ViolationsOf(v.Id, Simulator.Execute(v, smaller).Trace), x => x.Key == cx.Violation.Key);
            output.WriteLine($"{inv.Id}: {v.Id} {cx.Violation.Key}, {cx.Script.Actions.Length} actions, {cx.Script.Program.Body.Length} instructions");
            Assert.True(cx.Script.Actions.Length <= 12, $"{inv.Id}: counterexample of {cx.Script.Actions.Length} actions is not small:\n{cx.Script}");
        }
    }

    [Fact]
    public void EveryInvariantPath_ThatSomeVariantDeclares_IsFound()
    {
        var declared = Arm64Variants.All.SelectMany(v => v.ExpectedViolations).Distinct().ToList();
        var paths = Arm64Invariants.All.SelectMany(i => i.Paths.Select(p => $"{i.Id}:{p}")).ToList();
        output.WriteLine("paths no variant declares: " + string.Join(", ", paths.Except(declared)));
        Assert.All(declared, k => Assert.Contains(k, paths));
    }
}
