using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.X86;
using Xunit;

namespace Kvmspec.Properties.Model;

/// <summary>The counting of the bug-finding benchmark (bench: <c>bugfinding</c>): the count for a key is
/// the 1-based index of the first random trace that violates it, recounted here trace by trace; a seed
/// stops once every declared key was seen or at the cap; the shrunk script is no larger than the first hit.</summary>
public class BugFindingTests
{
    private const int Cap = 40, Size = 24;

    public static TheoryData<string> Variants => ["arm64/upstream", "x86/v5.0"];

    private static IVariant Find(string label) =>
        (IVariant?)Arm64Variants.Find(label) ?? X86Variants.All.First(v => v.Label == label);

    [Theory]
    [MemberData(nameof(Variants))]
    public void Counts_AreTheFirstViolatingTrace_AndStopWhenAllKeysAreSeen(string label)
    {
        var v = Find(label);
        foreach (ulong seed in new ulong[] { 1, 2 })
        {
            var run = BugFinding.Run(v, seed, Cap, Size, shrink: true);
            Assert.Equal(v.ExpectedViolations.Order(StringComparer.Ordinal), run.Hits.Keys);
            var keysOf = Enumerable.Range(0, run.TracesRun).Select(i => BugFinding.KeysOfTrace(v, seed, i, Size)).ToList();
            foreach (var (key, hit) in run.Hits)
            {
                int? first = keysOf.FindIndex(ks => ks.Contains(key)) is var i and >= 0 ? i + 1 : null;
                Assert.Equal(first, hit.Traces);
                if (hit.Traces is null) continue;
                Assert.True(hit.ShrunkActions <= hit.FirstActions && hit.ShrunkProgram <= hit.FirstProgram, $"{key}: shrunk {hit.ShrunkActions}/{hit.ShrunkProgram} vs {hit.FirstActions}/{hit.FirstProgram}");
            }
            bool all = run.Hits.Values.All(h => h.Traces is not null);
            Assert.Equal(all ? run.Hits.Values.Max(h => h.Traces!.Value) : Cap, run.TracesRun);
        }
    }

    [Fact]
    public void Percentile_RanksNotFoundAboveEveryCount()
    {
        int?[] xs = [5, null, 1, 3, 2];
        Assert.Equal(3, BugFinding.Percentile(xs, 0.5));
        Assert.Equal(5, BugFinding.Percentile(xs, 0.8));
        Assert.Null(BugFinding.Percentile(xs, 0.95));
        Assert.Equal(1, BugFinding.Percentile(xs, 0.01));
    }

    [Fact]
    public void Corpus_AloneFindsOnlyDeclaredKeys()
    {
        var v = Arm64Variants.V4_2;
        var keys = BugFinding.CorpusKeys(v);
        Assert.NotEmpty(keys);
        Assert.Subset(v.ExpectedViolations.ToHashSet(), keys.ToHashSet());
    }
}
