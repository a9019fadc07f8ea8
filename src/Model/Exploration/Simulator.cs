using Kvmspec.Model.Machines;
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

    /// <summary>A new vCPU after KVM_ARM_VCPU_INIT (kvm_reset_vcpu: the OS Lock's reset value).</summary>
    public static Ctx Reset(Variant v, GuestProgram p) =>
        OsLock.Machine.Fire(new Ctx(new Vcpu(), v, p, ImmutableList<TraceEvent>.Empty), OsLockTrigger.vcpu_reset, (x, w) => x.Unhandled(w));

    /// <summary>The variant a script starts on: the variant's migration source when the script's first
    /// migration comes from the previous release.</summary>
    public static Variant StartOn(Variant v, Script s) =>
        s.Actions.OfType<MigrateAction>().FirstOrDefault() is { FromOlder: true } && v.MigrationSource is { } id && Arm64Variants.Find(id) is { } src ? src : v;

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

    /// <summary>Queries and ioctls that can fail: the model records them itself, with their result.</summary>
    private static bool RecordsItself(TraceEvent e) => e is GetOneReg or SetOneReg or SetVcpuEvents or EnableCap;

    /// <summary>Records the input <paramref name="e"/> (unless it records itself) and fires its trigger <paramref name="t"/>.</summary>
    public static Ctx FireInput(Ctx c, TraceEvent e, RunTrigger t) => Fire(RecordsItself(e) ? c : c.Emit(e), t, e);

    /// <summary>The guest moves to a new vCPU of <paramref name="dest"/> (after <c>Migrate</c> is recorded):
    /// guest memory and pending interrupts (vGIC state, KVM_GET/SET_VCPU_EVENTS) travel with it.</summary>
    public static Ctx NewVcpu(Ctx c, Variant dest)
    {
        var old = c.S;
        var fresh = Reset(dest, c.P);
        c = fresh with { Out = c.Out.AddRange(fresh.Out) };
        return c.With(s => s with { Ram = old.Ram, GuestIrqPending = old.GuestIrqPending, VSErrorPending = old.VSErrorPending });
    }

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

    /// <summary>Applies one script action; a migration restores into <paramref name="destination"/> (default: the same variant).</summary>
    public static Ctx Apply(Ctx c, Action a, Variant? destination = null)
    {
        if (c.S.Unhandled is not null) return c;
        switch (a)
        {
            case MigrateAction:
                return MigrateTo(c, destination ?? c.V);
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
                if (e is SetOneReg) c = CompletePendingAccess(c);
                return FireInput(c, e, t);
            default:
                return c;
        }
    }

    /// <summary>api.rst "KVM_RUN": an access that exited to userspace completes only on re-entry; a VMM
    /// that wants to change or save state first re-enters with immediate_exit set, or (before
    /// KVM_CAP_IMMEDIATE_EXIT) with a signal pending.</summary>
    public static Ctx CompletePendingAccess(Ctx c)
    {
        if (!AwaitsCompletion(c)) return c;
        if (!c.V.ImmediateExit) c = Fire(c.Emit(new SignalPending()), RunTrigger.signal);
        var complete = new Run(ImmediateExit: c.V.ImmediateExit);
        return Settle(Fire(c.Emit(complete), RunTrigger.KVM_RUN, complete));
    }

    /// <summary>Save on the current variant, restore into a new vCPU of <paramref name="dest"/>, read back.</summary>
    public static Ctx MigrateTo(Ctx c, Variant dest)
    {
        c = CompletePendingAccess(Settle(c));
        if (c.S.Unhandled is not null) return c;
        var source = c.V;
        var list = source.RegList;
        c = c.Emit(new GetRegList(list));
        int reads = c.Out.Count;
        foreach (var r in list) c = Fire(c, RunTrigger.KVM_GET_ONE_REG, new GetOneReg(r, 0));
        // What the VMM restores is what it read.
        var saved = c.Out.Skip(reads).OfType<GetOneReg>().ToDictionary(g => g.Reg, g => g.Value);
        bool nisvToUser = c.S.return_nisv_io_abort_to_user;
        c = NewVcpu(c.Emit(new Migrate(source.Id, dest.Id)), dest);
        if (nisvToUser)
            c = Fire(c, RunTrigger.KVM_ENABLE_CAP, new EnableCap(Spec.Kvm.KvmCap.KVM_CAP_ARM_NISV_TO_USER));
        c = c.Emit(new GetRegList(dest.RegList));
        foreach (var r in list.Where(dest.Lists)) c = Fire(c, RunTrigger.KVM_SET_ONE_REG, new SetOneReg(r, saved[r]));
        foreach (var r in dest.RegList) c = Fire(c, RunTrigger.KVM_GET_ONE_REG, new GetOneReg(r, 0));
        return c;
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
        var c = Reset(StartOn(v, s), s.Program);
        var pstate = c.S.PSTATE.Encode();
        // The VMM reads the new vCPU's OS Lock, as QEMU's first register sync does: without it a
        // trace cannot tell KVM's reset value (unlocked) from the architecture's (locked).
        if (c.V.Lists(Spec.Kvm.OneReg.OSLSR_EL1)) c = Fire(c, RunTrigger.KVM_GET_ONE_REG, new GetOneReg(Spec.Kvm.OneReg.OSLSR_EL1, 0));
        foreach (var a in s.Actions) c = Apply(c, a, v);
        c = Settle(c);
        var trace = new Spec.Trace.Trace("arm64", "full", $"kvmspec model {v.Id}", s.Program, GuestProgram.Base, [.. c.Out], pstate);
        return new SimResult(trace, c.S, c.S.Unhandled);
    }
}
