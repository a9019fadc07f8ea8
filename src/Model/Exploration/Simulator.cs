using System.Collections.Immutable;
using Kvmspec.Model.Arm64;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>Runs scripts through the composed arm64 vCPU of one variant and records the trace.</summary>
/// <remarks>
/// The composed system's transitions are RunProtocol's rows: VMM inputs and environment events
/// are triggers; <c>enter</c>, <c>execute</c> and <c>handle_exit</c> are the automatic steps of the
/// states that have them. A KVM_RUN that has not returned after <see cref="Fuel"/> automatic steps
/// is kicked the way a VMM kicks a vCPU thread: a host IPI and a signal, both recorded.
/// </remarks>
public static class Simulator
{
    public const int Fuel = 48;

    public static Ctx Reset(Variant v, GuestProgram p) => new(new Vcpu(), v, p, ImmutableList<TraceEvent>.Empty);

    public static RunTrigger? TriggerOf(TraceEvent e) => e switch
    {
        SetGuestDebug => RunTrigger.KVM_SET_GUEST_DEBUG,
        Run => RunTrigger.KVM_RUN,
        CompleteMmio => RunTrigger.mmio_data,
        SetVcpuEvents => RunTrigger.KVM_SET_VCPU_EVENTS,
        GetOneReg => RunTrigger.KVM_GET_ONE_REG,
        SetOneReg => RunTrigger.KVM_SET_ONE_REG,
        EnableCap => RunTrigger.KVM_ENABLE_CAP,
        VmmEmulate => RunTrigger.vmm_emulate,
        InterruptPending { Target: IrqTarget.Guest } => RunTrigger.guest_irq,
        InterruptPending { Target: IrqTarget.Host } => RunTrigger.host_irq,
        SignalPending => RunTrigger.signal,
        _ => null,
    };

    public static RunTrigger? AutoTrigger(RunState s) => s switch
    {
        RunState.EnteringGuest => RunTrigger.enter,
        RunState.InGuest => RunTrigger.execute,
        RunState.HandlingExit => RunTrigger.handle_exit,
        _ => null,
    };

    /// <summary>Fires one RunProtocol trigger.</summary>
    public static Ctx Fire(Ctx c, RunTrigger t, TraceEvent? input = null) =>
        RunProtocol.Machine.Fire(c with { Input = input }, t, (x, w) => x.Unhandled(w)) with { Input = null };

    /// <summary>One automatic step; false if the vCPU is with the VMM.</summary>
    public static bool TryAuto(ref Ctx c)
    {
        if (AutoTrigger(c.S.Run) is not { } t) return false;
        c = Fire(c, t);
        return true;
    }

    /// <summary>Runs automatic steps until KVM_RUN returns, kicking the vCPU if it runs too long.</summary>
    public static Ctx Settle(Ctx c)
    {
        int n = 0;
        while (c.S.Unhandled is null && TryAuto(ref c))
        {
            if (++n == Fuel)
            {
                c = Fire(c.Emit(new SignalPending()), RunTrigger.signal);
                if (c.S.Run == RunState.InGuest)
                    c = Fire(c.Emit(new InterruptPending(IrqTarget.Host)), RunTrigger.host_irq);
            }
            if (n > 4 * Fuel) return c.Unhandled("the vCPU did not return to userspace after a kick");
        }
        return c;
    }

    /// <summary>Applies one script action.</summary>
    public static Ctx Apply(Ctx c, Action a)
    {
        if (c.S.Unhandled is not null) return c;
        switch (a)
        {
            case TickAction tick:
                for (int k = 0; k < tick.Count && c.S.Unhandled is null && TryAuto(ref c); k++) { }
                return c;
            case Do { Event: var e }:
                if (TriggerOf(e) is not { } t) return c.Unhandled($"no trigger for {e.Verb}");
                if (e.Role == EventRole.Environment)
                {
                    if (e is InterruptPending { Target: IrqTarget.Host } && c.S.Run != RunState.InGuest) return c;
                    return Fire(c.Emit(e), t, e);
                }
                c = Settle(c);
                if (c.S.Unhandled is not null) return c;
                if (e is SetOneReg && AwaitsCompletion(c))
                {
                    // api.rst "KVM_RUN": the access completes only on re-entry; a VMM that wants to
                    // change state first re-enters with immediate_exit set, or (before
                    // KVM_CAP_IMMEDIATE_EXIT) with a signal pending.
                    if (!c.V.ImmediateExit) c = Fire(c.Emit(new SignalPending()), RunTrigger.signal);
                    var complete = new Run(ImmediateExit: c.V.ImmediateExit);
                    c = Settle(Fire(c.Emit(complete), RunTrigger.KVM_RUN, complete));
                }
                // Queries and ioctls that can fail record themselves with their result.
                bool selfRecording = e is GetOneReg or SetVcpuEvents or EnableCap;
                return Fire(selfRecording ? c : c.Emit(e), t, e);
            default:
                return c;
        }
    }

    /// <summary>Whether the VMM's last KVM_RUN returned KVM_EXIT_MMIO and it has not re-entered
    /// since: the VMM knows this from what it saw.</summary>
    public static bool AwaitsCompletion(Ctx c)
    {
        for (int i = c.Out.Count - 1; i >= 0; i--)
        {
            switch (c.Out[i])
            {
                case Run: return false;
                case Spec.Trace.Exit x: return x.Reason == Spec.Kvm.KvmExitReason.KVM_EXIT_MMIO;
                case RunFailed: return false;
            }
        }
        return false;
    }

    public static SimResult Execute(Variant v, Script s)
    {
        var c = Reset(v, s.Program);
        foreach (var a in s.Actions) c = Apply(c, a);
        c = Settle(c);
        var trace = new Spec.Trace.Trace("arm64", "full", $"kvmspec model {v.Id}", s.Program, GuestProgram.Base, [.. c.Out]);
        return new SimResult(trace, c.S, c.S.Unhandled);
    }
}
