using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Bench;

/// <summary>The quick mode: no BenchmarkDotNet, one warm-up and a few Stopwatch-timed runs per path,
/// memory measured in fresh processes, a table and PASS/MISS against issue 6's targets.</summary>
public static class Quick
{
    /// <summary>Target: invariant checking of at least this many events per second.</summary>
    public const double TargetEventsPerSecond = 1_000_000;

    /// <summary>Target: the largest trace's peak working set is within this factor of the smallest's ...</summary>
    public const double MemoryFactor = 1.5;

    /// <summary>... plus this many bytes.</summary>
    public const long MemorySlackBytes = 8L << 20;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Options of <c>quick</c>.</summary>
    /// <param name="Sizes">Trace lengths for the memory comparison (the smallest and largest are compared).</param>
    /// <param name="Throughput">The trace length the throughput runs use.</param>
    /// <param name="Replay">Trace lengths conform also checks with <c>--variant arm64/upstream</c> (lockstep replay).</param>
    /// <param name="Repeat">Timed runs per path after the warm-up (the median is reported).</param>
    /// <param name="Profile">Also break invariant checking and parsing down (always done when invariant checking misses its target).</param>
    public sealed record Options(long[] Sizes, long Throughput, long[] Replay, int Repeat, bool Profile)
    {
        /// <summary>The defaults: 100k, 1M and 3M; throughput on 1M; replay of 10k and 30k (the replay's cost
        /// grows with the trace: see bench/README.md); 3 runs.</summary>
        public static Options Default => new([100_000, 1_000_000, 3_000_000], 1_000_000, [10_000, 30_000], 3, false);

        /// <summary>Parses <c>--sizes a,b,c --throughput n --replay a,b --repeat k --profile</c>.</summary>
        public static Options Parse(IReadOnlyList<string> args)
        {
            var o = Default;
            for (int i = 0; i < args.Count; i++)
            {
                string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                o = args[i] switch
                {
                    "--sizes" => o with { Sizes = Longs(Value()) },
                    "--throughput" => o with { Throughput = long.Parse(Value(), Inv) },
                    "--replay" => Value() is var r && r == "none" ? o with { Replay = [] } : o with { Replay = Longs(r) },
                    "--repeat" => o with { Repeat = int.Parse(Value(), Inv) },
                    "--profile" => o with { Profile = true },
                    var a => throw new ArgumentException($"unknown option {a}"),
                };
            }
            return o;
        }

        private static long[] Longs(string s) => [.. s.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => long.Parse(x, Inv))];
    }

    /// <summary>What one <c>quick-one</c> process measured.</summary>
    public sealed record OneResult(long Events, double Seconds, long PeakWorkingSet, long MaxHeapSize, long MaxCommitted,
        long TotalAfter, long HeapSizeAfter, long LiveAfterFullGc, int Gen0, int Gen1, int Gen2, string Summary)
    {
        /// <summary>The machine-readable line the child prints.</summary>
        public string Line() => string.Join(' ', "RESULT", Events, Seconds.ToString("R", Inv), PeakWorkingSet, MaxHeapSize, MaxCommitted,
            TotalAfter, HeapSizeAfter, LiveAfterFullGc, Gen0, Gen1, Gen2);

        /// <summary>Parses <see cref="Line"/>.</summary>
        public static OneResult Parse(string line, string summary)
        {
            var f = line.Split(' ');
            return new(long.Parse(f[1], Inv), double.Parse(f[2], Inv), long.Parse(f[3], Inv), long.Parse(f[4], Inv), long.Parse(f[5], Inv),
                long.Parse(f[6], Inv), long.Parse(f[7], Inv), long.Parse(f[8], Inv), int.Parse(f[9], Inv), int.Parse(f[10], Inv), int.Parse(f[11], Inv), summary);
        }
    }

    /// <summary><c>quick-one FILE [--variant ID]</c>: conform one file in this (fresh) process and print
    /// its time and memory: peak working set, the largest GC heap seen (sampled every 2 ms), and after.</summary>
    public static int One(string file, Variant? variant, TextWriter o)
    {
        long maxHeap = 0, maxCommitted = 0;
        using var stop = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            do
            {
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                maxHeap = Math.Max(maxHeap, Math.Max(info.HeapSizeBytes, GC.GetTotalMemory(false)));
                maxCommitted = Math.Max(maxCommitted, info.TotalCommittedBytes);
            } while (!stop.Wait(2));
        }) { IsBackground = true };
        sampler.Start();
        var sw = Stopwatch.StartNew();
        var r = Paths.Conform(file, variant);
        double seconds = sw.Elapsed.TotalSeconds;
        stop.Set();
        sampler.Join();
        long totalAfter = GC.GetTotalMemory(false);
        long heapAfter = GC.GetGCMemoryInfo().HeapSizeBytes;
        long live = GC.GetTotalMemory(true);
        GC.KeepAlive(r);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var result = new OneResult(r.Events, seconds, self.PeakWorkingSet64, maxHeap, maxCommitted, totalAfter, heapAfter, live,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), Paths.Summary(r));
        o.WriteLine(result.Summary);
        o.WriteLine(result.Line());
        return 0;
    }

    /// <summary>Runs <c>quick-one</c> in a fresh process.</summary>
    public static OneResult RunOne(string file, Variant? variant)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var self = Environment.ProcessPath ?? "dotnet";
        psi.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(Quick).Assembly.Location);
        psi.ArgumentList.Add("quick-one");
        psi.ArgumentList.Add(file);
        if (variant is not null) { psi.ArgumentList.Add("--variant"); psi.ArgumentList.Add(variant.Id); }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + self);
        var stderr = p.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (p.StandardOutput.ReadLine() is { } l) lines.Add(l);
        p.WaitForExit();
        var result = lines.FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (p.ExitCode != 0 || result is null)
            throw new InvalidOperationException($"quick-one {file} failed (exit {p.ExitCode}): {string.Join('\n', lines)}\n{stderr.Result}");
        return OneResult.Parse(result, lines[0]);
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
    }

    /// <summary>Times <paramref name="run"/> <paramref name="repeat"/> times; returns the median and the best seconds.</summary>
    private static (double Median, double Best) Time(int repeat, Func<long> run)
    {
        var times = new List<double>();
        for (int k = 0; k < repeat; k++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(run());
            times.Add(sw.Elapsed.TotalSeconds);
        }
        return (Median(times), times.Min());
    }

    private static string Rate(double events, double seconds) => (events / seconds).ToString("N0", Inv);

    private static string MiB(long bytes) => (bytes / 1048576.0).ToString("F1", Inv);

    /// <summary><c>quick</c>: generate, time every path, measure memory, print the table and the verdicts.</summary>
    public static int Run(Options opt, TextWriter o)
    {
        o.WriteLine($"kvmspec conform benchmark (quick mode): {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, traces in {TraceFiles.Directory}");
        if (new[] { typeof(Quick).Assembly, typeof(Model.Exploration.Simulator).Assembly, typeof(TraceReader).Assembly }
            .Any(a => a.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled)))
            o.WriteLine("WARNING: a Debug build (the JIT optimizer is off): the figures mean nothing; run with -c Release");
        var sizes = opt.Sizes.Concat([opt.Throughput]).Concat(opt.Replay).Distinct().Order().ToArray();
        var files = sizes.ToDictionary(n => n, n => TraceFiles.Ensure(n, log: o));
        long small = opt.Sizes.Min();
        long n = opt.Throughput;
        string big = files[n];

        // Warm-up: every path once on the smallest trace (JIT, tiering).
        o.WriteLine($"warm-up on {small:N0} events ...");
        var (wh, we) = TraceFiles.Load(files[small]);
        Paths.CheckInvariants(wh, we);
        Paths.Parse(files[small]);
        Paths.Conform(files[small], null);
        if (opt.Replay.Length > 0) Paths.Conform(files[opt.Replay.Min()], Arm64Variants.Upstream);

        o.WriteLine($"throughput on {n:N0} events, median of {opt.Repeat} run(s):");
        var (header, events) = TraceFiles.Load(big);
        var rows = new List<(string Path, long Events, double Median, double Best)>();
        void Row(string name, long count, (double Median, double Best) t)
        {
            rows.Add((name, count, t.Median, t.Best));
            o.WriteLine($"  {name,-46} {t.Median,8:F3} s  {Rate(count, t.Median),12} events/s  (best {Rate(count, t.Best)})");
        }
        var inv = Time(opt.Repeat, () => Paths.CheckInvariants(header, events));
        Row("invariants only (TraceChecker, in memory)", events.Length, inv);
        Row("parse only (TraceReader)", n, Time(opt.Repeat, () => Paths.Parse(big)));
        Row("conform FILE (read + parse + invariants)", n, Time(opt.Repeat, () => Paths.Conform(big, null).Events));
        foreach (var rn in opt.Replay.Order())
            Row($"conform FILE --variant upstream ({rn / 1000.0:0.#}k)", rn, Time(rn > 30_000 ? 1 : opt.Repeat, () => Paths.Conform(files[rn], Arm64Variants.Upstream).Events));
        o.WriteLine($"  the {n:N0}-event trace: {Paths.Summary(Paths.Conform(big, null))}");
        header = null!;
        events = null!;

        o.WriteLine("memory: conform FILE in a fresh process per trace (quick-one):");
        var mem = new List<(string What, long Size, OneResult R)>();
        foreach (var s in opt.Sizes.Order())
            mem.Add(("conform", s, RunOne(files[s], null)));
        foreach (var s in opt.Replay.Order())
            mem.Add(("conform --variant upstream", s, RunOne(files[s], Arm64Variants.Upstream)));
        foreach (var (what, s, r) in mem) o.WriteLine($"  {what} {s:N0}: {r.Summary}");
        o.WriteLine($"  {"path",-28} {"events",10} {"time s",8} {"events/s",11} {"peak WS MiB",12} {"max heap MiB",13} {"max commit MiB",15} {"heap after MiB",15} {"live after MiB",15} {"GCs 0/1/2",12}");
        foreach (var (what, s, r) in mem)
            o.WriteLine($"  {what,-28} {s,10:N0} {r.Seconds,8:F2} {Rate(r.Events, r.Seconds),11} {MiB(r.PeakWorkingSet),12} {MiB(r.MaxHeapSize),13} {MiB(r.MaxCommitted),15} {MiB(r.HeapSizeAfter),15} {MiB(r.LiveAfterFullGc),15} {$"{r.Gen0}/{r.Gen1}/{r.Gen2}",12}");

        o.WriteLine("targets (issue 6, item 6):");
        double invRate = events_(rows[0]);
        bool invOk = invRate >= TargetEventsPerSecond;
        o.WriteLine($"  {(invOk ? "PASS" : "MISS")}  invariant checking {invRate.ToString("N0", Inv)} events/s (target >= {TargetEventsPerSecond.ToString("N0", Inv)})");
        double confRate = events_(rows[2]);
        o.WriteLine($"  {(confRate >= TargetEventsPerSecond ? "PASS" : "MISS")}  whole conform path {confRate.ToString("N0", Inv)} events/s (same target, for information: the issue sets it for invariant checking)");
        bool memOk = true;
        foreach (var what in mem.Select(m => m.What).Distinct())
        {
            var ms = mem.Where(m => m.What == what).OrderBy(m => m.Size).ToList();
            if (ms.Count < 2) continue;
            var (lo, hi) = (ms[0], ms[^1]);
            long limit = (long)(lo.R.PeakWorkingSet * MemoryFactor) + MemorySlackBytes;
            bool ok = hi.R.PeakWorkingSet <= limit;
            memOk &= ok;
            o.WriteLine($"  {(ok ? "PASS" : "MISS")}  {what}: peak working set {MiB(hi.R.PeakWorkingSet)} MiB at {hi.Size:N0} events vs {MiB(lo.R.PeakWorkingSet)} MiB at {lo.Size:N0} (limit {MemoryFactor}x + {MemorySlackBytes >> 20} MiB = {MiB(limit)} MiB); max GC heap {MiB(hi.R.MaxHeapSize)} vs {MiB(lo.R.MaxHeapSize)} MiB");
        }

        if (opt.Profile || !invOk) Profile(big, opt.Repeat, o);
        return invOk && memOk ? 0 : 1;

        static double events_((string Path, long Events, double Median, double Best) r) => r.Events / r.Median;
    }

    /// <summary><c>profile FILE</c>: where the time goes. Invariant checking: the shared GuestView alone,
    /// each invariant alone (on top of the view), and all but one. Parsing: splitting lines, JsonDocument
    /// alone, and the TraceReader. Differences of a few ns/event are within the noise of a shared machine,
    /// so each figure is the best of at least five runs.</summary>
    public static void Profile(string file, int repeat, TextWriter o)
    {
        repeat = Math.Max(repeat, 5);
        var (header, events) = TraceFiles.Load(file);
        o.WriteLine($"profile of invariant checking on {events.Length:N0} events (best of {repeat}; ns/event):");
        var all = Arm64Invariants.All;
        Paths.CheckInvariants(header, events, all);
        double T(IEnumerable<Invariant> set) => Time(repeat, () => Paths.CheckInvariants(header, events, set.ToArray())).Best;
        double full = T(all), none = T([]);
        double Ns(double s) => s * 1e9 / events.Length;
        o.WriteLine($"  {"all invariants",-22} {Ns(full),8:F1}   ({Rate(events.Length, full)} events/s)");
        o.WriteLine($"  {"none (GuestView only)",-22} {Ns(none),8:F1}");
        o.WriteLine($"  {"invariant",-22} {"alone-none",10} {"all-without",12}");
        foreach (var i in all)
        {
            double alone = T([i]), without = T(all.Where(x => x != i));
            o.WriteLine($"  {i.Id,-22} {Ns(alone - none),10:F1} {Ns(full - without),12:F1}");
        }
        var kinds = events.GroupBy(e => e.Verb).Select(g => (g.Key, g.Count())).OrderByDescending(x => x.Item2);
        o.WriteLine("  event mix: " + string.Join(", ", kinds.Select(k => $"{k.Key} {100.0 * k.Item2 / events.Length:F1}%")));
        header = null!;
        events = null!;

        o.WriteLine($"profile of parsing {file} (best of {repeat}; ns/event):");
        long n = Paths.Parse(file);
        double read = Time(repeat, () => SplitLines(file, Work.None)).Best;
        double tokens = Time(repeat, () => SplitLines(file, Work.Tokens)).Best;
        double json = Time(repeat, () => SplitLines(file, Work.Parse)).Best;
        double names = Time(repeat, () => SplitLines(file, Work.Names)).Best;
        double kind = Time(repeat, () => SplitLines(file, Work.Kind)).Best;
        double reader = Time(repeat, () => Paths.Parse(file)).Best;
        void Line(string what, double seconds, string extra = "") => o.WriteLine($"  {what,-74} {seconds * 1e9 / n,8:F1}{extra}");
        Line("read + split lines", read);
        Line("+ Utf8JsonReader over every token (no JsonDocument)", tokens);
        Line("+ JsonDocument.Parse instead", json);
        Line("+ NoOthers' work: a new HashSet, each name as a string (twice), looked up", names);
        Line("+ instead only TryGetProperty(\"kind\").GetString()", kind);
        Line("TraceReader (all of it)", reader, $"   ({Rate(n, reader)} events/s)");
    }

    private enum Work { None, Tokens, Parse, Names, Kind }

    private static readonly HashSet<string> Allowed = [.. Kvmspec.Spec.Trace.TraceReader.EventFields.Values.SelectMany(x => x)];

    /// <summary>Reads the file's lines as bytes (as the reader's LineSource does) and does
    /// <paramref name="work"/> on each: nothing, a Utf8JsonReader pass over its tokens, a JsonDocument parse (with the reader's options), that
    /// and every property name as a string looked up in a set (Fields.NoOthers' work), or that and only
    /// the kind as a string. Floors under the TraceReader.</summary>
    private static long SplitLines(string file, Work work)
    {
        var options = new System.Text.Json.JsonDocumentOptions { MaxDepth = 16 };
        long sink = 0;
        using var s = TraceFiles.Open(file);
        var buf = new byte[1 << 16];
        var line = new byte[1 << 12];
        int len = 0;
        long lines = 0;
        int got;
        while ((got = s.Read(buf, 0, buf.Length)) > 0)
        {
            int start = 0;
            while (start < got)
            {
                int nl = Array.IndexOf(buf, (byte)'\n', start, got - start);
                int take = (nl < 0 ? got : nl) - start;
                if (len + take > line.Length) Array.Resize(ref line, Math.Max(line.Length * 2, len + take));
                Buffer.BlockCopy(buf, start, line, len, take);
                len += take;
                start += take;
                if (nl < 0) break;
                start++;
                if (work == Work.Tokens)
                {
                    var tokens = new System.Text.Json.Utf8JsonReader(line.AsSpan(0, len), new System.Text.Json.JsonReaderOptions { MaxDepth = 16 });
                    while (tokens.Read()) sink++;
                }
                else if (work != Work.None)
                {
                    using var d = System.Text.Json.JsonDocument.Parse(line.AsMemory(0, len), options);
                    if (work == Work.Names)
                    {
                        var seen = new HashSet<string>();
                        foreach (var p in d.RootElement.EnumerateObject()) sink += seen.Add(p.Name) && Allowed.Contains(p.Name) ? 1 : 0;
                    }
                    else if (work == Work.Kind && d.RootElement.TryGetProperty("kind", out var k))
                        sink += k.GetString()!.Length;
                }
                lines++;
                len = 0;
            }
        }
        return lines + (sink & 0);
    }
}
