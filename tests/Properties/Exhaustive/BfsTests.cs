using FsCheck;
using FsCheck.Fluent;
using Kvmspec.Model.Exploration.Exhaustive;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Invariants;
using Xunit;

namespace Kvmspec.Properties.Exhaustive;

/// <summary>The search engine on small systems whose answers are known: the visited set against a
/// HashSet, the BFS counts per level, minimal paths, truncation, and independence from the thread count.</summary>
public class BfsTests
{
    [Fact]
    public void FingerprintSet_AddsExactlyTheFingerprintsNotYetSeen()
    {
        var fps = Gen.Choose(0, 3000).ListOf().Select(xs => xs.Select(x => (ulong)x).ToList()).ToArbitrary();
        Props.Check(fps, xs =>
        {
            var set = new FingerprintSet(16);
            var reference = new HashSet<ulong>();
            foreach (var x in xs)
            {
                var f = new Fingerprint(x * 0x9E3779B97F4A7C15UL, x + 1);
                if (set.Add(f) != reference.Add(x)) return false;
                if (!set.Contains(f)) return false;
            }
            return set.Count == reference.Count && !set.Contains(new Fingerprint(12345, 0)) && set.Bytes <= 16L * 4 * Math.Max(16, set.Count);
        });
    }

    /// <summary>States 0..n-1; action 0 adds 1, action 1 doubles (mod n); "bad" is a violation found
    /// on every transition into it.</summary>
    private sealed class Ring(int n, int bad) : IStateSpace<int>
    {
        public IReadOnlyList<Outcome<int>> Initial => [Out(0)];
        public int ActionCount(int s) => 2;
        public Outcome<int>? Step(int s, int a) => Out(a == 0 ? (s + 1) % n : 2 * s % n);

        private Outcome<int> Out(int s) =>
            new(s, new Fingerprint((ulong)s + 1, 7), s == bad ? [new Violation("BAD", "hit", 0, $"state {s}")] : null);
    }

    /// <summary>The least number of steps from 0 to every state of the ring, by plain BFS.</summary>
    private static int[] Distances(int n)
    {
        var d = Enumerable.Repeat(-1, n).ToArray();
        var q = new Queue<int>([0]);
        d[0] = 0;
        while (q.Count > 0)
        {
            int s = q.Dequeue();
            foreach (int t in new[] { (s + 1) % n, 2 * s % n })
                if (d[t] < 0) { d[t] = d[s] + 1; q.Enqueue(t); }
        }
        return d;
    }

    [Theory]
    [InlineData(100, 77)]
    [InlineData(1000, 999)]
    [InlineData(37, 36)]
    public void Bfs_FindsEveryStateOnce_AndTheViolationOnAShortestPath(int n, int bad)
    {
        var d = Distances(n);
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var r = Bfs.Run(new Ring(n, bad), new Bound(Depth: 64, MaxStates: 1_000_000, Threads: threads));
            Assert.Equal(n, r.States);
            Assert.False(r.Truncated);
            Assert.Equal(d.Max() + 1, r.DepthReached); // the level after the last finds nothing new
            Assert.Equal(Enumerable.Range(0, d.Max() + 1).Select(l => (long)d.Count(x => x == l)), r.StatesPerLevel.Take(d.Max() + 1));
            var f = r.Findings["BAD:hit"];
            Assert.Equal(d[bad], f.Path.Actions.Count);
            int s = 0;
            foreach (int a in f.Path.Actions) s = a == 0 ? (s + 1) % n : 2 * s % n;
            Assert.Equal(bad, s);
        }
    }

    [Fact]
    public void Bfs_GivesTheSameResultOnAnyNumberOfThreads()
    {
        var runs = new[] { 1, 2, 3, 8 }.Select(t => Bfs.Run(new Ring(5000, 4321), new Bound(40, 1_000_000, t))).ToList();
        foreach (var r in runs.Skip(1))
        {
            Assert.Equal(runs[0].States, r.States);
            Assert.Equal(runs[0].Transitions, r.Transitions);
            Assert.Equal(runs[0].StatesPerLevel, r.StatesPerLevel);
            Assert.Equal(runs[0].Findings["BAD:hit"].Path.Actions, r.Findings["BAD:hit"].Path.Actions);
        }
    }

    [Fact]
    public void Bfs_ReportsTruncation_WhenTheStateCapStopsIt_NotWhenTheDepthBoundDoes()
    {
        var capped = Bfs.Run(new Ring(1000, 999), new Bound(64, 100, 2));
        Assert.True(capped.Truncated);
        Assert.InRange(capped.States, 100, 100);
        var shallow = Bfs.Run(new Ring(1000, 999), new Bound(3, 1_000_000, 2));
        Assert.False(shallow.Truncated); // the depth is the bound, not a cut
        Assert.Equal(3, shallow.DepthReached);
        Assert.DoesNotContain("BAD:hit", shallow.Findings.Keys);
    }

    [Fact]
    public void Bfs_JudgesTransitionsIntoStatesAlreadyVisited()
    {
        // 0 -> 1 -> 2 -> 0: the violation is only on the transition back into 0, a state visited first.
        var r = Bfs.Run(new Back(), new Bound(10, 100, 1));
        Assert.Equal(3, r.States);
        Assert.Equal([0, 0, 0], r.Findings["BACK:edge"].Path.Actions);
    }

    private sealed class Back : IStateSpace<int>
    {
        public IReadOnlyList<Outcome<int>> Initial => [new(0, new Fingerprint(1, 1))];
        public int ActionCount(int s) => 1;
        public Outcome<int>? Step(int s, int a) =>
            new((s + 1) % 3, new Fingerprint((ulong)((s + 1) % 3) + 1, 1), s == 2 ? [new Violation("BACK", "edge", 0, "back to 0")] : null);
    }
}
