using System.Collections.Immutable;
using System.Diagnostics;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Bench;

/// <summary>What generating one benchmark trace gave.</summary>
/// <param name="Path">The trace file.</param>
/// <param name="Events">Events written (exactly the number asked for).</param>
/// <param name="Actions">Random script actions applied.</param>
/// <param name="Padding">Single-event KVM_GET_ONE_REG(pc) queries appended to reach the exact count.</param>
/// <param name="Notes">Internal lane-diagram notes the model emitted and the file leaves out.</param>
/// <param name="MaxPerAction">The most events one random action gave (must stay below <see cref="TraceFiles.Margin"/>).</param>
/// <param name="Elapsed">Wall time of the generation.</param>
public sealed record Generated(string Path, long Events, long Actions, long Padding, long Notes, long MaxPerAction, TimeSpan Elapsed);

/// <summary>Benchmark traces: one long, genuine model trace of an exact number of events, produced by
/// running one script action after another through the upstream variant and streaming the events to a
/// <see cref="TraceWriter"/> as they come, so that neither the script nor the trace is ever held in memory.</summary>
/// <remarks>
/// <para>Why not <see cref="Simulator.Execute"/> on one long script: it keeps every event of the run in
/// the vCPU context's immutable list and copies it into the trace at the end, so a 3,000,000-event trace
/// would be built in memory. Why not concatenate many short executions: each starts a fresh vCPU at the
/// program's base, so the concatenation is readable but not consistent (the PC, the OS Lock and the
/// guest's debug state jump between pieces), and the invariants would report violations at every seam.</para>
/// <para>Instead the generator does what <see cref="Simulator.Execute"/> does (reset, the VMM's first
/// OSLSR_EL1 read, <see cref="Simulator.Apply"/> per action, a final <see cref="Simulator.Settle"/>) but
/// drains the context's output after every action. The only thing the simulator reads back from its
/// output is the last <c>run</c>/<c>exit</c>/<c>run_failed</c> (<see cref="Simulator.AwaitsCompletion"/>),
/// so that one event is kept. The result is one script's trace: the same events <see cref="Simulator.Execute"/>
/// would give for the same actions (without the internal notes, which no invariant reads and which a real
/// producer does not record), replayable against <see cref="Arm64Variants.Upstream"/>.</para>
/// <para>Program: <c>ScriptGenerator.Program(new Rng(1), 6)</c>. Actions: <see cref="ScriptGenerator.NextAction"/>
/// from <c>new Rng(seed)</c>. Every migration is upstream to upstream (the script starts on upstream).
/// To hit the count exactly, random actions stop a little before it, the vCPU is settled, and the rest is
/// padded with KVM_GET_ONE_REG(pc) queries (at most <see cref="Margin"/> of them).</para>
/// </remarks>
public static class TraceFiles
{
    /// <summary>Events left for the final settle and the padding.</summary>
    public const int Margin = 500;

    /// <summary>The default seed of the actions.</summary>
    public const ulong DefaultSeed = 42;

    /// <summary>The directory benchmark traces are kept in: <c>$KVMSPEC_BENCH_DIR</c>, else <c>$TMPDIR/kvmspec-bench</c>.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("KVMSPEC_BENCH_DIR") is { Length: > 0 } d ? d : System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kvmspec-bench");

    /// <summary>The guest program every benchmark trace runs.</summary>
    public static GuestProgram Program() => ScriptGenerator.Program(new Rng(1), 6);

    /// <summary>A tag of the model and spec builds (their deterministic module ids), so that a cached
    /// trace is regenerated when the model changes.</summary>
    public static string ModelTag
    {
        get
        {
            var a = typeof(Simulator).Assembly.ManifestModule.ModuleVersionId;
            var b = typeof(TraceWriter).Assembly.ManifestModule.ModuleVersionId;
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. a.ToByteArray(), .. b.ToByteArray()]))[..8];
        }
    }

    /// <summary>The cached file for <paramref name="events"/> events of seed <paramref name="seed"/>.</summary>
    public static string PathFor(long events, ulong seed = DefaultSeed) =>
        System.IO.Path.Combine(Directory, $"trace-{events}-s{seed}-{ModelTag}.jsonl");

    /// <summary>The cached trace of <paramref name="events"/> events, generated first if missing.</summary>
    public static string Ensure(long events, ulong seed = DefaultSeed, TextWriter? log = null)
    {
        var path = PathFor(events, seed);
        if (File.Exists(path)) return path;
        System.IO.Directory.CreateDirectory(Directory);
        // Older builds' files of the same size and seed.
        foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, $"trace-{events}-s{seed}-*.jsonl")) File.Delete(stale);
        log?.Write($"generating {events:N0} events -> {path} ... ");
        var g = Write(path, events, seed);
        log?.WriteLine($"{g.Elapsed.TotalSeconds:F1} s ({g.Events / g.Elapsed.TotalSeconds:N0} events/s; {g.Actions:N0} actions, {g.Padding} padding queries, {g.Notes:N0} notes left out)");
        return path;
    }

    /// <summary>Writes a trace of exactly <paramref name="events"/> events to <paramref name="path"/> (via a
    /// temporary file, so that an interrupted run leaves no half-written trace behind).</summary>
    public static Generated Write(string path, long events, ulong seed = DefaultSeed)
    {
        if (events < Margin * 2) throw new ArgumentOutOfRangeException(nameof(events), $"at least {Margin * 2} events");
        var sw = Stopwatch.StartNew();
        var v = Arm64Variants.Upstream;
        var program = Program();
        var c = Simulator.Reset(v, program);
        var header = new TraceHeader("arm64", Spec.Trace.Trace.FullProfile, $"kvmspec bench: model {v.Id}, program Rng(1) length 6, actions Rng({seed})",
            program, GuestProgram.Base, c.S.PSTATE.Encode());
        var tmp = path + ".tmp";
        long written = 0, notes = 0, actions = 0, padding = 0, maxPerAction = 0;
        int kept = 0;
        using (var w = TraceWriter.Create(tmp, header))
        {
            void Drain()
            {
                if (c.S.Unhandled is { } u)
                    throw new InvalidOperationException($"the model met an unhandled case after {actions} actions ({written} events): {u}");
                var output = c.Out;
                int last = -1;
                for (int i = 0; i < output.Count; i++)
                {
                    var e = output[i];
                    if (e is Run or Exit or RunFailed) last = i;
                    if (i < kept) continue;
                    if (e.Role == EventRole.Internal) { notes++; continue; }
                    w.Write(e);
                    written++;
                }
                // Keep only what Simulator.AwaitsCompletion reads: the last run, exit or run_failed.
                c = c with { Out = last >= 0 ? ImmutableList.Create(output[last]) : ImmutableList<TraceEvent>.Empty };
                kept = last >= 0 ? 1 : 0;
            }

            // As Simulator.Execute: the VMM reads the new vCPU's OS Lock first.
            if (c.V.Lists(OneReg.OSLSR_EL1)) c = Simulator.Fire(c, RunTrigger.KVM_GET_ONE_REG, new GetOneReg(OneReg.OSLSR_EL1, 0));
            Drain();
            var rng = new Rng(seed);
            while (written < events - Margin)
            {
                long before = written;
                c = Simulator.Apply(c, ScriptGenerator.NextAction(rng, program), v);
                actions++;
                Drain();
                maxPerAction = Math.Max(maxPerAction, written - before);
            }
            c = Simulator.Settle(c);
            Drain();
            var query = Action.Of(new GetOneReg(OneReg.PC, 0));
            while (written < events)
            {
                c = Simulator.Apply(c, query, v);
                padding++;
                Drain();
            }
            if (written != events)
                throw new InvalidOperationException($"generated {written} events, not {events}: the last action gave more than {Margin}");
            w.End();
        }
        File.Move(tmp, path, overwrite: true);
        return new Generated(path, written, actions, padding, notes, maxPerAction, sw.Elapsed);
    }

    /// <summary>Opens a trace for sequential reading, as <c>kvmspec conform</c> does.</summary>
    public static Stream Open(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    /// <summary>Reads a whole trace into an array (for the invariant-only benchmark).</summary>
    public static (TraceHeader Header, TraceEvent[] Events) Load(string path)
    {
        using var s = Open(path);
        var r = new TraceReader(s, path);
        var list = new List<TraceEvent>();
        foreach (var (_, e) in r.Events()) list.Add(e);
        return (r.Header, list.ToArray());
    }
}
