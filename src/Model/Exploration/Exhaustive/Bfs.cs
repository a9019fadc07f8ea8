using System.Diagnostics;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The bound of an exhaustive exploration: actions per path and stored states.</summary>
public sealed record Bound(int Depth, int MaxStates, int Threads)
{
    public override string ToString() => $"depth {Depth}, at most {MaxStates:N0} states, {Threads} thread{(Threads == 1 ? "" : "s")}";
}

/// <summary>A path from an initial state: the index of the initial state and the actions taken.</summary>
public sealed record Path(int Initial, IReadOnlyList<int> Actions);

/// <summary>The first violation of one key in BFS order: at the least depth, and among those the
/// first in the frontier's order (deterministic whatever the number of threads).</summary>
public sealed record Finding(string Key, Violation Violation, Path Path);

/// <summary>What an exhaustive exploration saw.</summary>
/// <remarks>
/// <c>States</c>: distinct states stored (initial ones included). <c>Transitions</c>: enabled
/// (state, action) pairs taken and judged. <c>DepthReached</c>: the last depth fully expanded.
/// <c>Truncated</c>: true when <c>MaxStates</c> stopped the search before the depth bound.
/// <c>StoredBytes</c>: the visited table plus the parent links kept for counterexamples.
/// <c>PeakHeapBytes</c>: the largest managed heap seen at the end of a level.
/// </remarks>
public sealed record BfsResult(
    IReadOnlyDictionary<string, Finding> Findings,
    long States,
    long Transitions,
    int DepthReached,
    bool Truncated,
    TimeSpan Elapsed,
    long StoredBytes,
    long PeakHeapBytes,
    IReadOnlyList<long> StatesPerLevel)
{
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? States / Elapsed.TotalSeconds : 0;
    public double BytesPerState => States > 0 ? (double)StoredBytes / States : 0;
}

/// <summary>Level-synchronous breadth-first search with state hashing (<see cref="FingerprintSet"/>).</summary>
/// <remarks>
/// Each level runs in two phases. Expand (parallel over contiguous chunks of the frontier): every
/// enabled action of every frontier state is taken and judged, and successors not yet in the
/// visited set are kept in chunk order. Merge (one thread, in frontier order): successors are
/// added to the visited set; those that were new form the next frontier, with a parent link
/// (4-byte parent index and 1-byte action). Findings keep the first (least depth, then frontier
/// order) transition of each violation key, so the result does not depend on the thread count.
/// Every transition is judged, also those into states already visited. With one thread the two
/// phases are one pass over the frontier in the same order (a block of states is expanded, the
/// table slots of its successors loaded together, then its transitions judged and added): the
/// result is the same, with one table probe per transition and no candidate lists.
/// </remarks>
public static class Bfs
{
    public static BfsResult Run<S>(IStateSpace<S> space, Bound bound)
    {
        var sw = Stopwatch.StartNew();
        var visited = new FingerprintSet();
        var findings = new Dictionary<string, (int Level, int Parent, int Action, Violation V)>();
        var parents = new List<int[]>();
        var actions = new List<byte[]>();
        var perLevel = new List<long>();
        long transitions = 0, peak = GC.GetTotalMemory(false);
        bool truncated = false;

        (Outcome<S> O, int Parent, byte Action)[]? outs1 = null;
        ulong touch = 0;
        var frontier = new List<S>();
        var p0 = new List<int>();
        for (int i = 0; i < space.Initial.Count; i++)
        {
            var o = space.Initial[i];
            Note(findings, o.Found, 0, i, -1);
            if (!visited.Add(o.Key)) continue;
            frontier.Add(o.State);
            p0.Add(i);
        }
        parents.Add([.. p0]);
        actions.Add(new byte[p0.Count]);
        perLevel.Add(frontier.Count);

        int depth = 0;
        while (depth < bound.Depth && frontier.Count > 0)
        {
            if (visited.Count >= bound.MaxStates) { truncated = true; break; }
            if (bound.Threads <= 1)
            {
                // One thread: expand and merge in one pass, in the same (frontier, action) order as
                // the parallel merge, so the result is the same; one table probe per transition.
                depth++;
                var next1 = new List<S>(frontier.Count);
                var par1 = new List<int>(frontier.Count);
                var act1 = new List<byte>(frontier.Count);
                outs1 ??= new (Outcome<S>, int, byte)[Block * 16];
                for (int i0 = 0; i0 < frontier.Count; i0 += Block)
                {
                    // The successors of a block of frontier states first, their table slots loaded
                    // together (independent loads overlap their cache misses), then judged and
                    // added in (frontier, action) order.
                    int m = 0, end = Math.Min(frontier.Count, i0 + Block);
                    for (int i = i0; i < end; i++)
                    {
                        var s = frontier[i];
                        int n = space.ActionCount(s);
                        if (m + n > outs1.Length) Array.Resize(ref outs1, 2 * (m + n));
                        for (int a = 0; a < n; a++)
                        {
                            if (space.Step(s, a) is not { } o) continue;
                            outs1[m++] = (o, i, (byte)a);
                            touch ^= visited.Peek(o.Key);
                        }
                    }
                    for (int k = 0; k < m; k++)
                    {
                        var (o, i, a) = outs1[k];
                        transitions++;
                        if (o.Found is { Count: > 0 } f)
                            foreach (var v in f)
                                findings.TryAdd(v.Key, (depth, i, a, v));
                        if (truncated) continue;
                        if (visited.Count >= bound.MaxStates) { truncated = true; continue; }
                        if (!visited.Add(o.Key)) continue;
                        next1.Add(o.State);
                        par1.Add(i);
                        act1.Add(a);
                    }
                }
                parents.Add([.. par1]);
                actions.Add([.. act1]);
                perLevel.Add(next1.Count);
                frontier = next1;
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                if (truncated) break;
                continue;
            }
            int chunks = Math.Min(frontier.Count, Math.Max(1, bound.Threads) * 8);
            var outs = new Chunk<S>[chunks];
            var current = frontier;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, bound.Threads) }, k =>
            {
                var ch = new Chunk<S>();
                int from = (int)((long)current.Count * k / chunks), to = (int)((long)current.Count * (k + 1) / chunks);
                for (int i = from; i < to; i++)
                {
                    var s = current[i];
                    int n = space.ActionCount(s);
                    for (int a = 0; a < n; a++)
                    {
                        if (space.Step(s, a) is not { } o) continue;
                        ch.Transitions++;
                        if (o.Found is { Count: > 0 } f)
                            foreach (var v in f)
                                ch.Found.TryAdd(v.Key, (i, a, v));
                        if (!visited.Contains(o.Key)) ch.Next.Add((o.State, o.Key, i, (byte)a));
                    }
                }
                outs[k] = ch;
            });

            depth++;
            var next = new List<S>();
            var par = new List<int>();
            var act = new List<byte>();
            foreach (var ch in outs)
            {
                transitions += ch.Transitions;
                foreach (var (key, (i, a, v)) in ch.Found)
                    if (!findings.ContainsKey(key)) findings[key] = (depth, i, a, v);
                foreach (var (s, key, i, a) in ch.Next)
                {
                    if (visited.Count >= bound.MaxStates) { truncated = true; break; }
                    if (!visited.Add(key)) continue;
                    next.Add(s);
                    par.Add(i);
                    act.Add(a);
                }
            }
            parents.Add([.. par]);
            actions.Add([.. act]);
            perLevel.Add(next.Count);
            frontier = next;
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            if (truncated) break;
        }
        if (!truncated && depth < bound.Depth && frontier.Count > 0) truncated = true;

        if (outs1 is not null) Array.Clear(outs1);
        Sink = touch;
        var result = new Dictionary<string, Finding>(StringComparer.Ordinal);
        foreach (var (key, (level, parent, action, v)) in findings)
            result[key] = new Finding(key, v, PathTo(parents, actions, level, parent, action));
        long links = parents.Sum(p => 5L * p.Length);
        return new BfsResult(result, visited.Count, transitions, depth, truncated, sw.Elapsed, visited.Bytes + links, peak, perLevel);
    }

    /// <summary>Keeps the prefetching loads of the one-thread path observable.</summary>
    private static ulong Sink;

    /// <summary>Frontier states expanded together on the one-thread path.</summary>
    private const int Block = 16;

    private static void Note(Dictionary<string, (int, int, int, Violation)> findings, IReadOnlyList<Violation>? found, int level, int parent, int action)
    {
        if (found is null) return;
        foreach (var v in found) findings.TryAdd(v.Key, (level, parent, action, v));
    }

    /// <summary>The path of the transition taken by <paramref name="action"/> from state
    /// <paramref name="parent"/> of level <paramref name="level"/> - 1 (level 0: the initial state itself).</summary>
    private static Path PathTo(List<int[]> parents, List<byte[]> actions, int level, int parent, int action)
    {
        if (level == 0) return new Path(parent, []);
        var acts = new List<int> { action };
        int idx = parent;
        for (int l = level - 1; l > 0; l--)
        {
            acts.Add(actions[l][idx]);
            idx = parents[l][idx];
        }
        acts.Reverse();
        return new Path(parents[0][idx], acts);
    }

    private sealed class Chunk<S>
    {
        public long Transitions;
        public readonly Dictionary<string, (int, int, Violation)> Found = new(StringComparer.Ordinal);
        public readonly List<(S, Fingerprint, int, byte)> Next = [];
    }
}
