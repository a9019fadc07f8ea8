using System.Diagnostics;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>The bound of an exhaustive exploration: actions per path and stored states.</summary>
public sealed record Bound(int Depth, int MaxStates, int Threads)
{
    /// <summary>Slots to allocate in the visited table at the start (0: start small and grow), as
    /// SPIN's <c>-w</c> presizes its hash table.</summary>
    public int InitialSlots { get; init; }

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
/// (state, action) pairs taken and judged. <c>DepthReached</c>: how many action levels were expanded (one more than the longest shortest path when the whole space was exhausted within the bound).
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
/// Each level is expanded in blocks of frontier states: every enabled action of every state of a
/// block is taken and judged (expand), then the block's transitions are merged in (frontier,
/// action) order (merge): successors not yet in the visited set are added to it and form the next
/// frontier, with a parent link (4-byte parent index and 1-byte action). With one thread the two
/// alternate; with more, <c>Threads - 1</c> workers expand blocks ahead (and load the table slots
/// their successors will probe) while the calling thread merges the blocks in frontier order,
/// expanding unclaimed blocks itself whenever the next one is not ready; so every thread expands,
/// and the result does not depend on the thread count. Findings keep the first (least depth, then
/// frontier order) transition of each violation key. Every transition is judged, also those into
/// states already visited. One table probe per transition; the only buffers are the expanded
/// blocks not yet merged.
/// </remarks>
public static class Bfs
{
    /// <summary>Frontier states expanded together.</summary>
    private const int Block = 16;

    public static BfsResult Run<S>(IStateSpace<S> space, Bound bound)
    {
        var sw = Stopwatch.StartNew();
        var m = new Merge<S>(bound.MaxStates, bound.InitialSlots);
        var parents = new List<int[]>();
        var actions = new List<byte[]>();
        var perLevel = new List<long>();
        long peak = GC.GetTotalMemory(false);
        int threads = Math.Max(1, bound.Threads);

        var frontier = new List<S>();
        var p0 = new List<int>();
        for (int i = 0; i < space.Initial.Count; i++)
        {
            var o = space.Initial[i];
            if (o.Found is not null)
                foreach (var v in o.Found) m.Findings.TryAdd(v.Key, (0, i, -1, v));
            if (!m.Visited.Add(o.Key)) continue;
            frontier.Add(o.State);
            p0.Add(i);
        }
        parents.Add([.. p0]);
        actions.Add(new byte[p0.Count]);
        perLevel.Add(frontier.Count);

        int depth = 0;
        ulong touch = 0;
        var buffer = new Expanded<S>();
        while (depth < bound.Depth && frontier.Count > 0)
        {
            if (m.Visited.Count >= bound.MaxStates) { m.Truncated = true; break; }
            depth++;
            m.Start(depth, frontier.Count);
            int blocks = (frontier.Count + Block - 1) / Block;
            if (threads == 1 || blocks < 2)
            {
                for (int b = 0; b < blocks; b++)
                {
                    touch ^= Expand(space, frontier, b, m.Visited, buffer);
                    m.Take(buffer);
                }
            }
            else
            {
                var done = new Expanded<S>?[blocks];
                var pool = new System.Collections.Concurrent.ConcurrentQueue<Expanded<S>>();
                int claimed = -1;
                var current = frontier;
                var workers = new Task[threads - 1];
                for (int w = 0; w < workers.Length; w++)
                    workers[w] = Task.Factory.StartNew(() =>
                    {
                        ulong t = 0;
                        for (int b; (b = Interlocked.Increment(ref claimed)) < blocks;)
                        {
                            if (!pool.TryDequeue(out var e)) e = new Expanded<S>();
                            t ^= Expand(space, current, b, m.Visited, e);
                            Volatile.Write(ref done[b], e);
                        }
                        Sink = t;
                    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                for (int b = 0; b < blocks; b++)
                {
                    var spin = new SpinWait();
                    Expanded<S>? e;
                    while ((e = Volatile.Read(ref done[b])) is null)
                    {
                        // Not ready: expand the next unclaimed block here rather than wait (with a
                        // slow Step every thread expands; with a fast one the merge is the bottleneck).
                        if (Volatile.Read(ref claimed) < blocks - 1 && Interlocked.Increment(ref claimed) is var c && c < blocks)
                        {
                            if (!pool.TryDequeue(out var mine)) mine = new Expanded<S>();
                            touch ^= Expand(space, frontier, c, m.Visited, mine);
                            Volatile.Write(ref done[c], mine);
                            continue;
                        }
                        if (spin.NextSpinWillYield && Array.Exists(workers, x => x.IsFaulted)) Task.WaitAll(workers);
                        spin.SpinOnce(sleep1Threshold: -1);
                    }
                    m.Take(e);
                    done[b] = null;
                    pool.Enqueue(e);
                }
                Task.WaitAll(workers);
            }
            parents.Add([.. m.Parents]);
            actions.Add([.. m.Actions]);
            perLevel.Add(m.Next.Count);
            frontier = m.Next;
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            if (m.Truncated) break;
        }
        Sink ^= touch;

        var result = new Dictionary<string, Finding>(StringComparer.Ordinal);
        foreach (var (key, (level, parent, action, v)) in m.Findings)
            result[key] = new Finding(key, v, PathTo(parents, actions, level, parent, action));
        long links = parents.Sum(p => 5L * p.Length);
        return new BfsResult(result, m.Visited.Count, m.Transitions, depth, m.Truncated, sw.Elapsed, m.Visited.Bytes + links, peak, perLevel);
    }

    /// <summary>Keeps the prefetching loads observable.</summary>
    private static ulong Sink;

    /// <summary>Takes every enabled action of the frontier states of block <paramref name="b"/> into
    /// <paramref name="e"/>, loading the table slot of each successor (independent loads overlap
    /// their cache misses, and the slots are then in the shared cache for the merge).</summary>
    private static ulong Expand<S>(IStateSpace<S> space, List<S> frontier, int b, FingerprintSet visited, Expanded<S> e)
    {
        ulong touch = 0;
        e.Count = 0;
        int end = Math.Min(frontier.Count, (b + 1) * Block);
        for (int i = b * Block; i < end; i++)
        {
            var s = frontier[i];
            int n = space.ActionCount(s);
            if (e.Count + n > e.Items.Length) Array.Resize(ref e.Items, 2 * (e.Count + n));
            for (int a = 0; a < n; a++)
            {
                if (space.Step(s, a) is not { } o) continue;
                e.Items[e.Count++] = (o, i, (byte)a);
                touch ^= visited.Peek(o.Key);
            }
        }
        return touch;
    }

    /// <summary>The transitions of one expanded block, in (frontier, action) order.</summary>
    private sealed class Expanded<S>
    {
        public (Outcome<S> O, int Parent, byte Action)[] Items = new (Outcome<S>, int, byte)[Block * 16];
        public int Count;
    }

    /// <summary>The merge side of a search: the visited set, the findings, and the level being built.</summary>
    private sealed class Merge<S>(int maxStates, int slots)
    {
        public readonly FingerprintSet Visited = slots > 0 ? new(slots) : new();
        public readonly Dictionary<string, (int Level, int Parent, int Action, Violation V)> Findings = [];
        public long Transitions;
        public bool Truncated;
        public List<S> Next = [];
        public List<int> Parents = [];
        public List<byte> Actions = [];
        private int depth;

        public void Start(int level, int frontier)
        {
            depth = level;
            Next = new List<S>(frontier);
            Parents = new List<int>(frontier);
            Actions = new List<byte>(frontier);
        }

        /// <summary>Judges and adds a block's transitions in order; once <c>maxStates</c> are stored
        /// the rest of the level is still judged but nothing more is added.</summary>
        public void Take(Expanded<S> e)
        {
            var items = e.Items;
            for (int k = 0; k < e.Count; k++)
            {
                var (o, i, a) = items[k];
                items[k] = default;
                Transitions++;
                if (o.Found is { Count: > 0 } f)
                    foreach (var v in f)
                        Findings.TryAdd(v.Key, (depth, i, a, v));
                if (Truncated) continue;
                if (Visited.Count >= maxStates) { Truncated = true; continue; }
                if (!Visited.Add(o.Key)) continue;
                Next.Add(o.State);
                Parents.Add(i);
                Actions.Add(a);
            }
        }
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
}
