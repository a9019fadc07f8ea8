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
/// grow with the trace: the model's output is consumed as it is compared.
/// </remarks>
public sealed class Replay
{
    /// <summary>Automatic model steps without an observable event before the replay gives up.</summary>
    public const int MaxSilentSteps = 100_000;

    private readonly Variant variant;
    private readonly Queue<TraceEvent> pending = new();
    private Ctx c;

    /// <summary>The first divergence, once found.</summary>
    public Divergence? Diverged { get; private set; }

    /// <summary>The number of trace events compared or applied.</summary>
    public long Events { get; private set; }

    private Replay(Variant start, Variant variant, GuestProgram program)
    {
        this.variant = variant;
        c = Simulator.Reset(start, program);
        Drain();
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
        ulong reset = r.c.S.PSTATE.Encode();
        if (h.InitialPstate is { } ps && ps != reset)
            r.Diverged = new Divergence(-1, $"initial_pstate 0x{reset:X} (the model's reset PSTATE)", $"initial_pstate 0x{ps:X}");
        return r;
    }

    /// <summary>Feeds the trace's next event; false once the replay has diverged.</summary>
    public bool Feed(int index, TraceEvent e)
    {
        if (Diverged is not null) return false;
        if (e.Role == EventRole.Internal) return true;
        Events++;
        switch (e.Role)
        {
            case EventRole.Environment:
                if (pending.Count > 0) return Diverge(index, pending.Peek(), e);
                if (e is InterruptPending { Target: IrqTarget.Host } && c.S.Run != RunState.InGuest) return true;
                Fire(e);
                return Check(index, e, consumeInput: true);
            case EventRole.Input or EventRole.Query:
                if (!RunToVmm(index, e)) return false;
                Fire(e);
                return Check(index, e, consumeInput: true);
            default:
                if (!NextOutput(index, e)) return false;
                var expected = pending.Dequeue();
                return Matches(expected, e) || Diverge(index, expected, e);
        }
    }

    /// <summary>Ends the replay: the model must have nothing more to show before its next input.</summary>
    public bool Finish(int index)
    {
        if (Diverged is not null) return false;
        if (pending.Count == 0) AutoUntilOutput();
        if (pending.Count > 0)
        {
            Diverged = new Divergence(index, pending.Peek().Describe(), "the end of the trace");
            return false;
        }
        return true;
    }

    private void Fire(TraceEvent e)
    {
        switch (e)
        {
            case Migrate m:
                var dest = m.Destination == variant.Id ? variant : Arm64Variants.Find(m.Destination) ?? variant;
                var old = c.S;
                var fresh = Simulator.Reset(dest, c.P);
                c = fresh with { Out = c.Out.Add(e).AddRange(fresh.Out) };
                c = c.With(s => s with { Ram = old.Ram, GuestIrqPending = old.GuestIrqPending, VSErrorPending = old.VSErrorPending });
                break;
            case GetRegList:
                c = c.Emit(new GetRegList(c.V.RegList));
                break;
            default:
                if (Simulator.TriggerOf(e) is not { } t)
                {
                    c = c.Unhandled($"no trigger for {e.Verb}");
                    break;
                }
                c = Simulator.Fire(Simulator.RecordsItself(e) ? c : c.Emit(e), t, e);
                break;
        }
        Drain();
    }

    /// <summary>After an input: the model's record of it (with its result) must match the trace's.</summary>
    private bool Check(int index, TraceEvent input, bool consumeInput)
    {
        if (!consumeInput) return true;
        if (pending.Count == 0 || pending.Peek().Verb != input.Verb)
        {
            // An input the model did not record (a get_one_reg of a register this release does not list).
            return Diverge(index, pending.Count > 0 ? pending.Peek() : null, input);
        }
        var mine = pending.Dequeue();
        return Matches(mine, input) || Diverge(index, mine, input);
    }

    /// <summary>Runs the model until it is back with the VMM, with nothing left to show.</summary>
    private bool RunToVmm(int index, TraceEvent next)
    {
        if (pending.Count > 0) return Diverge(index, pending.Peek(), next);
        AutoUntilOutput();
        if (pending.Count > 0) return Diverge(index, pending.Peek(), next);
        if (c.S.Unhandled is { } u) return DivergeText(index, $"the model stops: {u}", next.Describe());
        return true;
    }

    /// <summary>Makes sure the model has an output to compare with <paramref name="observed"/>.</summary>
    private bool NextOutput(int index, TraceEvent observed)
    {
        if (pending.Count == 0) AutoUntilOutput();
        if (pending.Count > 0) return true;
        return DivergeText(index, c.S.Unhandled is { } u ? $"the model stops: {u}" : "no further observation before the VMM's next input (KVM_RUN has returned)", observed.Describe());
    }

    private void AutoUntilOutput()
    {
        for (int n = 0; n < MaxSilentSteps && pending.Count == 0 && c.S.Unhandled is null; n++)
        {
            if (!Simulator.TryAuto(ref c)) return;
            Drain();
        }
    }

    private void Drain()
    {
        foreach (var e in c.Out)
            if (e.Role != EventRole.Internal) pending.Enqueue(e);
        c = c with { Out = c.Out.Clear() };
    }

    private bool Diverge(int index, TraceEvent? expected, TraceEvent observed) =>
        DivergeText(index, expected?.Describe() ?? "nothing (the model does not record this input)", observed.Describe());

    private bool DivergeText(int index, string expected, string observed)
    {
        Diverged = new Divergence(index, expected, observed);
        return false;
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
