using System.Collections.Immutable;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Model.X86;

/// <summary>What running an x86 script gives: the trace, the final vCPU, and a model finding.</summary>
public sealed record X86SimResult(Trace Trace, X86Vcpu Final, string? Unhandled);

/// <summary>Runs scripts through the composed x86 vCPU of one variant and records the trace, the
/// way <see cref="Simulator"/> does for arm64: VMM inputs wait for KVM_RUN to return (kicked after
/// <see cref="Simulator.Fuel"/> automatic steps), environment events and stores to kvm_run's
/// sync-regs part happen where they stand.</summary>
public static class X86Simulator
{
    /// <summary>The guest's RFLAGS at the first KVM_RUN: IF=1 (interrupts enabled).</summary>
    public const ulong InitialRflags = Rflags.Fixed | Rflags.IF;

    public static X86Ctx Reset(X86Variant v, X86Program p) =>
        new(new X86Vcpu { Rflags = InitialRflags }, v, p, ImmutableList<TraceEvent>.Empty);

    public static X86RunTrigger? TriggerOf(TraceEvent e) => e switch
    {
        X86SetGuestDebug => X86RunTrigger.KVM_SET_GUEST_DEBUG,
        GetRegs => X86RunTrigger.KVM_GET_REGS,
        SetRegs => X86RunTrigger.KVM_SET_REGS,
        CompleteIo => X86RunTrigger.io_data,
        CompleteMmio => X86RunTrigger.mmio_data,
        Run => X86RunTrigger.KVM_RUN,
        InterruptPending { Target: IrqTarget.Guest } => X86RunTrigger.guest_irq,
        InterruptPending { Target: IrqTarget.Host } => X86RunTrigger.host_irq,
        SignalPending => X86RunTrigger.signal,
        SetSyncRegs => X86RunTrigger.kvm_run_s_regs,
        _ => null,
    };

    /// <summary>Inputs the model records itself, with their result.</summary>
    private static bool RecordsItself(TraceEvent e) => e is X86SetGuestDebug or GetRegs or SetRegs or CompleteIo or CompleteMmio;

    public static X86Ctx Fire(X86Ctx c, X86RunTrigger t, TraceEvent? input = null) =>
        X86RunProtocol.Machine.Fire(c with { Input = input }, t, (x, w) => x.Unhandled(w)) with { Input = null };

    public static X86RunTrigger? AutoTrigger(RunState s) => s switch
    {
        RunState.EnteringGuest => X86RunTrigger.enter,
        RunState.InGuest => X86RunTrigger.execute,
        RunState.HandlingExit => X86RunTrigger.handle_exit,
        _ => null,
    };

    public static bool TryAuto(ref X86Ctx c)
    {
        if (AutoTrigger(c.S.Run) is not { } t) return false;
        c = Fire(c, t);
        return true;
    }

    public static X86Ctx Settle(X86Ctx c)
    {
        int n = 0;
        while (c.S.Unhandled is null && TryAuto(ref c))
        {
            if (++n == Simulator.Fuel)
            {
                c = Fire(c.Emit(new SignalPending()), X86RunTrigger.signal);
                if (c.S.Run == RunState.InGuest)
                    c = Fire(c.Emit(new InterruptPending(IrqTarget.Host)), X86RunTrigger.host_irq);
            }
            if (n > 4 * Simulator.Fuel) return c.Unhandled("the vCPU did not return to userspace after a kick");
        }
        return c;
    }

    /// <summary>api.rst "KVM_RUN": before changing registers, a VMM completes a pending access by
    /// re-entering with immediate_exit (or, without it, a pending signal).</summary>
    public static X86Ctx CompletePendingAccess(X86Ctx c)
    {
        if (c.S.Trap == X86Emulation.Machine.InitialState) return c;
        if (!c.V.ImmediateExit) c = Fire(c.Emit(new SignalPending()), X86RunTrigger.signal);
        var complete = new Run(ImmediateExit: c.V.ImmediateExit);
        return Settle(Fire(c.Emit(complete), X86RunTrigger.KVM_RUN, complete));
    }

    public static X86Ctx Apply(X86Ctx c, Action a)
    {
        if (c.S.Unhandled is not null) return c;
        switch (a)
        {
            case TickAction tick:
                for (int k = 0; k < tick.Count && c.S.Unhandled is null && TryAuto(ref c); k++) { }
                return c;
            case Do { Event: var e }:
                if (TriggerOf(e) is not { } t) return c.Unhandled($"no x86 trigger for {e.Verb}");
                // A store to kvm_run (SetSyncRegs) is memory, not an ioctl: like the environment, it
                // lands wherever the vCPU is (another VMM thread may write while KVM_RUN is in flight).
                if (e.Role == EventRole.Environment || e is SetSyncRegs)
                {
                    if (e is InterruptPending { Target: IrqTarget.Host } && c.S.Run != RunState.InGuest) return c;
                    return Fire(c.Emit(e), t, e);
                }
                c = Settle(c);
                if (c.S.Unhandled is not null) return c;
                if (e is SetRegs) c = CompletePendingAccess(c);
                return Fire(RecordsItself(e) ? c : c.Emit(e), t, e);
            default:
                return c.Unhandled($"{a} is not an x86 action");
        }
    }

    public static X86SimResult Execute(X86Variant v, X86Script s)
    {
        var c = Reset(v, s.Program);
        foreach (var a in s.Actions) c = Apply(c, a);
        c = Settle(c);
        var trace = new Trace("x86", Trace.FullProfile, $"kvmspec model {v.Label}", Spec.Arm64.GuestProgram.Of(), X86Program.Base, [.. c.Out], InitialRflags);
        return new X86SimResult(trace, c.S, c.S.Unhandled);
    }
}
