using Kvmspec.Model.Machines;
using System.Collections.Immutable;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Oracle;

/// <summary>Replays a recorded trace's inputs through one variant in lockstep with the trace's
/// observations, and stops at the first event where they differ.</summary>
/// <remarks>
/// The model starts from the header's program (a new vCPU after KVM_ARM_VCPU_INIT). Each VMM input
/// of the trace (an ioctl) is applied once the model has returned from KVM_RUN and has nothing left
/// to show; each environment event (an interrupt, a signal) exactly where it stands; each observation
/// must be the model's next one, running the model on as far as needed. A migration starts a new
/// vCPU of the destination variant (of the replayed variant when the destination is not a known
/// variant) with guest memory and pending interrupts carried over; the restore itself is the trace's
/// own ioctls. Comparison: everything an observation records must match; what it leaves out (an
/// exit's pc, a retirement's data, an exception's syndrome) is not compared, and nor is a
/// retirement's <c>insn</c> text, which is the producer's disassembly. A host interrupt while the
/// model is not running guest code changes nothing (the model records none there). Memory does not
/// grow with the trace: the model's output is consumed as it is compared, and at most
/// <see cref="MaxHypotheses"/> placements of an environment event are followed at once.
/// </remarks>
public sealed class Replay
{
    /// <summary>Automatic model steps without an observable event before the replay gives up.</summary>
    public const int MaxSilentSteps = 100_000;

    /// <summary>How many placements of environment events the replay follows at once.</summary>
    public const int MaxHypotheses = 32;

    private readonly Variant variant;
    private List<Hypothesis> live;

    /// <summary>The first divergence, once found.</summary>
    public Divergence? Diverged { get; private set; }

    /// <summary>The number of trace events compared or applied.</summary>
    public long Events { get; private set; }

    private Replay(Variant start, Variant variant, GuestProgram program)
    {
        this.variant = variant;
        live = [new Hypothesis(this, Simulator.Reset(start, program), ImmutableQueue<TraceEvent>.Empty).Drained()];
    }

    /// <summary>A replay of a trace with <paramref name="h"/> against <paramref name="v"/>, starting on
    /// <paramref name="start"/> (the migration source of a cross-release trace; default <paramref name="v"/>);
    /// null with a reason when the trace cannot be replayed.</summary>
    public static Replay? Start(Variant v, TraceHeader h, out string? whyNot, Variant? start = null)
    {
        whyNot = h.Profile != Spec.Trace.Trace.FullProfile ? $"the {h.Profile} profile records no inputs to replay"
            : h.Program is null ? "the header has no program (the guest's instructions in the model's kinds)"
            : h.InitialPc != GuestProgram.Base ? $"initial_pc 0x{h.InitialPc:X} is not the model's program base 0x{GuestProgram.Base:X}"
            : null;
        if (whyNot is not null) return null;
        var r = new Replay(start ?? v, v, h.Program!);
        // The PSTATE at the first KVM_RUN is the producer's (its VMM may have set it): the model starts from it.
        if (h.InitialPstate is { } ps && PSTATE.Decode(ps) is { } p)
            r.live[0] = r.live[0] with { C = r.live[0].C.With(s => s with { PSTATE = p }) };
        return r;
    }

    /// <summary>Feeds the trace's next event; false once the replay has diverged.</summary>
    /// <remarks>An environment event may arrive at any of the model's silent internal steps between two
    /// observations (where exactly is not observable), so each placement is followed as a hypothesis
    /// until the trace's later observations rule it out; the replay diverges when none is left, and
    /// reports what the earliest placement expected.</remarks>
    public bool Feed(int index, TraceEvent e)
    {
        if (Diverged is not null) return false;
        if (e.Role == EventRole.Internal) return true;
        Events++;
        var next = new List<Hypothesis>();
        var seen = new HashSet<Hypothesis>();
        Divergence? first = null;
        foreach (var h in live)
        {
            var candidates = e.Role == EventRole.Environment ? h.Placements() : [h];
            foreach (var c in candidates)
            {
                if (next.Count >= MaxHypotheses) break;
                var (after, d) = c.Feed(index, e);
                if (after is not null) { if (seen.Add(after)) next.Add(after); }
                else first ??= d;
            }
        }
        if (next.Count == 0)
        {
            Diverged = first;
            return false;
        }
        live = next;
        return true;
    }

    /// <summary>Ends the replay: the model must have nothing more to show before its next input.</summary>
    public bool Finish(int index)
    {
        if (Diverged is not null) return false;
        Divergence? first = null;
        foreach (var h in live)
        {
            var done = h.RunOn();
            if (done.Pending.IsEmpty) return true;
            first ??= new Divergence(index, done.Pending.Peek().Describe(), "the end of the trace");
        }
        Diverged = first;
        return false;
    }

    /// <summary>One possible model state, with the observations it has made and the trace has not yet shown.</summary>
    private sealed record Hypothesis(Replay R, Ctx C, ImmutableQueue<TraceEvent> Pending)
    {
        public bool Equals(Hypothesis? o) => o is not null && C.S == o.C.S && C.V == o.C.V && Pending.SequenceEqual(o.Pending);
        public override int GetHashCode() => C.S.GetHashCode();

        public Hypothesis Drained()
        {
            var q = Pending;
            foreach (var e in C.Out)
                if (e.Role != EventRole.Internal) q = q.Enqueue(e);
            return this with { C = C with { Out = C.Out.Clear() }, Pending = q };
        }

        /// <summary>This state and every state reachable from it by silent automatic steps: where an environment event may land.</summary>
        public List<Hypothesis> Placements()
        {
            var all = new List<Hypothesis> { this };
            if (!Pending.IsEmpty) return all;
            var c = C;
            for (int n = 0; n < MaxHypotheses && c.S.Unhandled is null; n++)
            {
                var probe = c;
                if (!Simulator.TryAuto(ref probe) || probe.Out.Any(e => e.Role != EventRole.Internal)) break;
                c = probe with { Out = probe.Out.Clear() };
                all.Add(this with { C = c });
            }
            return all;
        }

        /// <summary>Runs automatic steps until there is an observation to compare, or the model is back with the VMM.</summary>
        public Hypothesis RunOn()
        {
            var h = this;
            var c = C;
            for (int n = 0; n < MaxSilentSteps && h.Pending.IsEmpty && c.S.Unhandled is null; n++)
            {
                if (!Simulator.TryAuto(ref c)) break;
                h = (h with { C = c }).Drained();
                c = h.C;
            }
            return h;
        }

        public (Hypothesis? After, Divergence? Why) Feed(int index, TraceEvent e)
        {
            switch (e.Role)
            {
                case EventRole.Environment:
                    if (!Pending.IsEmpty) return (null, Diverge(index, Pending.Peek(), e));
                    if (e is InterruptPending { Target: IrqTarget.Host } && C.S.Run != RunState.InGuest) return (this, null);
                    return Fire(e).Consume(index, e);
                case EventRole.Input or EventRole.Query:
                    var h = RunOn();
                    if (!h.Pending.IsEmpty) return (null, Diverge(index, h.Pending.Peek(), e));
                    if (h.C.S.Unhandled is { } u) return (null, new Divergence(index, $"the model stops: {u}", e.Describe()));
                    return h.Fire(e).Consume(index, e);
                default:
                    var o = Pending.IsEmpty ? RunOn() : this;
                    if (o.Pending.IsEmpty)
                        return (null, new Divergence(index, o.C.S.Unhandled is { } u2 ? $"the model stops: {u2}" : "no further observation before the VMM's next input (KVM_RUN has returned)", e.Describe()));
                    var expected = o.Pending.Peek();
                    return Matches(expected, e) ? (o with { Pending = o.Pending.Dequeue() }, null) : (null, Diverge(index, expected, e));
            }
        }

        /// <summary>After an input: the model's record of it (with its result) must match the trace's.</summary>
        private (Hypothesis?, Divergence?) Consume(int index, TraceEvent input)
        {
            if (Pending.IsEmpty || Pending.Peek().Verb != input.Verb)
                // An input the model did not record (a get_one_reg of a register this release does not list).
                return (null, Diverge(index, Pending.IsEmpty ? null : Pending.Peek(), input));
            var mine = Pending.Peek();
            return Matches(mine, input) ? (this with { Pending = Pending.Dequeue() }, null) : (null, Diverge(index, mine, input));
        }

        private Hypothesis Fire(TraceEvent e)
        {
            var c = C;
            switch (e)
            {
                case Migrate m:
                    var dest = m.Destination == R.variant.Id ? R.variant : Arm64Variants.Find(m.Destination) ?? R.variant;
                    c = Simulator.NewVcpu(c.Emit(e), dest);
                    break;
                case GetRegList:
                    c = c.Emit(new GetRegList(c.V.RegList));
                    break;
                default:
                    c = Simulator.TriggerOf(e) is { } t ? Simulator.FireInput(c, e, t) : c.Unhandled($"no trigger for {e.Verb}");
                    break;
            }
            return (this with { C = c }).Drained();
        }

        private static Divergence Diverge(int index, TraceEvent? expected, TraceEvent observed)
        {
            // Two events whose descriptions agree differ in a field the description leaves out: show the records.
            if (expected is not null && expected.Describe() == observed.Describe())
                return new(index, TraceJson.Event(expected).ToJsonString(), TraceJson.Event(observed).ToJsonString());
            return new(index, expected?.Describe() ?? "nothing (the model does not record this input)", observed.Describe());
        }
    }

    /// <summary>Whether the trace's <paramref name="observed"/> event agrees with the model's <paramref name="expected"/>
    /// in everything it records.</summary>
    public static bool Matches(TraceEvent expected, TraceEvent observed) => (expected, observed) switch
    {
        (Exit a, Exit b) => a.Reason == b.Reason && (b.Pc is null || a.Pc == b.Pc) && (b.Payload is null || Equals(a.Payload, b.Payload)),
        (RunFailed a, RunFailed b) => a.Errno == b.Errno && (b.Pc is null || a.Pc == b.Pc),
        (Retired a, Retired b) => a.Pc == b.Pc && a.NextPc == b.NextPc && a.By == b.By && a.Completion == b.Completion && (b.Data is null || a.Data == b.Data),
        (ExceptionTaken a, ExceptionTaken b) => a.Vector == b.Vector && a.Elr == b.Elr && a.Spsr == b.Spsr && (b.Esr is null || a.Esr == b.Esr),
        _ => expected.Equals(observed),
    };
}

/// <summary>The first event at which a trace and a variant's replay differ.</summary>
/// <remarks><c>EventIndex</c>: the trace event (0-based; -1 for the header); <c>Expected</c>: what the
/// variant does there; <c>Observed</c>: what the trace shows.</remarks>
public sealed record Divergence(int EventIndex, string Expected, string Observed)
{
    /// <summary>The line of the trace file (the header is line 1).</summary>
    public int Line => EventIndex + 2;

    public override string ToString() => $"event {EventIndex} (line {Line}): expected {Expected}; observed {Observed}";
}
