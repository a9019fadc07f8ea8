using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.Machines.RunState, Kvmspec.Model.Arm64.RunTrigger, Kvmspec.Model.Arm64.Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.Machines.RunState, Kvmspec.Model.Arm64.RunTrigger, Kvmspec.Model.Arm64.Ctx>;

namespace Kvmspec.Model.Arm64;

/// <summary>RunProtocol: the KVM_RUN exit/re-entry protocol between the VMM, KVM and the guest.</summary>
/// <remarks>
/// Sources: arch/arm64/kvm/arm.c kvm_arch_vcpu_ioctl_run() (completion of a pending MMIO before
/// vcpu_load and before the immediate_exit check; the run loop: signal check, kvm_arm_setup_debug,
/// world switch, kvm_arm_clear_debug, handle_exit; the commit of pending PC adjustments on the way
/// out, 26778aaa134a / e3e880bb1518), handle_exit.c (handle_trap_exceptions, kvm_handle_guest_debug),
/// mmio.c, api.rst "KVM_RUN". Exit handlers fire TrapEmulation and GuestDebug triggers, named in the
/// effects as <c>Machine.trigger</c>.
/// </remarks>
public static class RunProtocol
{
    private static readonly ImmutableArray<RunState> Any = [];
    private static ImmutableArray<RunState> In(params RunState[] s) => [.. s];
    private static readonly ImmutableArray<RunState> Vmm = [RunState.InVmm];
    private static readonly ImmutableArray<RunState> Exit = [RunState.HandlingExit];

    private static R Row(ImmutableArray<RunState> from, RunTrigger t, Guard<Ctx> g, RunState? to, string source, params Effect<Ctx>[] fx) =>
        new(from, t, g, [.. fx], to, source);

    private static Effect<Ctx> E(Func<Ctx, Ctx> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Effect<Ctx>.Of(f, n);
    private static Guard<Ctx> G(Func<Ctx, bool> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Guard<Ctx>.Of(f, n);

    // Named calls into the other machines, so diagrams show "TrapEmulation.kvm_handle_mmio_return".
    private static Ctx Fire(Ctx c, TrapTrigger t) => TrapEmulation.Machine.Fire(c, t, (x, w) => x.Unhandled(w));
    private static Ctx Fire(Ctx c, GuestDebugTrigger t) => GuestDebug.Machine.Fire(c, t, (x, w) => x.Unhandled(w));
    private static readonly Effect<Ctx> mmio_return = new("TrapEmulation.kvm_handle_mmio_return", c => Fire(c, TrapTrigger.kvm_handle_mmio_return));
    private static readonly Effect<Ctx> vcpu_load = new("GuestDebug.vcpu_load", c => Fire(c, GuestDebugTrigger.vcpu_load));
    private static readonly Effect<Ctx> setup_debug = new("GuestDebug.setup_debug", c => Fire(c, GuestDebugTrigger.setup_debug));
    private static readonly Effect<Ctx> adjust_pc = new("TrapEmulation.__kvm_adjust_pc", c => Fire(c, TrapTrigger.__kvm_adjust_pc));
    private static readonly Effect<Ctx> handle_step = new("GuestDebug.handle_step", c => Fire(c, GuestDebugTrigger.handle_step));
    private static readonly Effect<Ctx> set_guest_debug = new("GuestDebug.KVM_SET_GUEST_DEBUG", c => Fire(c, GuestDebugTrigger.KVM_SET_GUEST_DEBUG));
    private static readonly Effect<Ctx> ext_dabt = new("TrapEmulation.ext_dabt_pending", c => Fire(c, TrapTrigger.ext_dabt_pending));
    private static readonly Effect<Ctx> vmm_emulate = new("TrapEmulation.vmm_emulate", c => Fire(c, TrapTrigger.vmm_emulate));
    private static readonly Effect<Ctx> emulated = new("TrapEmulation.emulated", c => Fire(c, TrapTrigger.emulated));
    private static readonly Effect<Ctx> mmio_user = new("TrapEmulation.io_mem_abort_user", c => Fire(c, TrapTrigger.io_mem_abort_user));
    private static readonly Effect<Ctx> mmio_nisv = new("TrapEmulation.io_mem_abort_nisv", c => Fire(c, TrapTrigger.io_mem_abort_nisv));

    public static readonly M Machine = new()
    {
        Name = "RunProtocol",
        Summary = "The KVM_RUN exit/re-entry protocol: VMM ioctls, the run loop, guest execution and exit handling.",
        InitialState = RunState.InVmm,
        Get = c => c.S.Run,
        Set = (c, s) => c.With(v => v with { Run = s }),
        Rows =
        [
            // ---- the VMM's ioctls ----
            Row(Vmm, RunTrigger.KVM_SET_GUEST_DEBUG, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_SET_GUEST_DEBUG", set_guest_debug),
            Row(Vmm, RunTrigger.mmio_data, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_EXIT_MMIO: userspace fills mmio.data", E(write_mmio_data)),
            Row(Vmm, RunTrigger.KVM_SET_VCPU_EVENTS, G(SErrorOnly), RunState.InVmm, "api.rst KVM_SET_VCPU_EVENTS serror_pending (v4.19+): kvm_inject_vabt", E(set_serror_pending)),
            Row(Vmm, RunTrigger.KVM_SET_VCPU_EVENTS, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_SET_VCPU_EVENTS ext_dabt_pending", ext_dabt),
            Row(Vmm, RunTrigger.KVM_GET_ONE_REG, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_GET_ONE_REG", E(get_one_reg)),
            Row(Vmm, RunTrigger.KVM_SET_ONE_REG, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_SET_ONE_REG", E(set_one_reg)),
            Row(Vmm, RunTrigger.KVM_ENABLE_CAP, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_CAP_ARM_NISV_TO_USER", E(enable_cap)),
            Row(Vmm, RunTrigger.vmm_emulate, Guard<Ctx>.Always, RunState.InVmm, "api.rst KVM_EXIT_ARM_NISV", vmm_emulate),

            // ---- KVM_RUN: kvm_arch_vcpu_ioctl_run() ----
            Row(Vmm, RunTrigger.KVM_RUN, G(StepExitAfterMmioReturn), RunState.InVmm, "v4.15 arm.c: kvm_arm_handle_step_debug() after kvm_handle_mmio_return()", mmio_return, E(kvm_arm_handle_step_debug), E(return_to_user)),
            Row(Vmm, RunTrigger.KVM_RUN, G(ImmediateExitRequested), RunState.InVmm, "arm.c: immediate_exit after MMIO completion (460df4c1fc7c, e3e880bb1518)", mmio_return, vcpu_load, E(exit_eintr), E(return_to_user)),
            Row(Vmm, RunTrigger.KVM_RUN, Guard<Ctx>.Always, RunState.EnteringGuest, "arm.c kvm_arch_vcpu_ioctl_run", mmio_return, vcpu_load),

            // ---- the run loop ----
            Row(In(RunState.EnteringGuest), RunTrigger.enter, G(SignalPending), RunState.InVmm, "arm.c: signal_pending → KVM_EXIT_INTR", E(exit_signal), E(return_to_user)),
            Row(In(RunState.EnteringGuest), RunTrigger.enter, Guard<Ctx>.Always, RunState.InGuest, "arm.c run loop: kvm_arm_setup_debug, then __kvm_adjust_pc in hyp, then ERET", setup_debug, adjust_pc, E(Cpu.world_switch_enter)),

            // ---- the CPU in the guest ----
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.HostIrqPending), RunState.HandlingExit, "host IRQ: exit to EL2", E(Cpu.take_host_irq)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.SoftwareStepToEl2), RunState.HandlingExit, "Arm ARM CheckSoftwareStep, routed to EL2 by MDCR_EL2.TDE", E(Cpu.software_step_exception)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.SoftwareStepToEl1), RunState.InGuest, "Arm ARM CheckSoftwareStep, taken by the guest's EL1 (its own step)", E(Cpu.guest_software_step)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.GuestInterruptDue), RunState.InGuest, "Arm ARM exception entry (IRQ, SError)", E(Cpu.take_guest_interrupt)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.BreakpointToEl2), RunState.HandlingExit, "Arm ARM AArch64.CheckBreakpoint, routed to EL2 by MDCR_EL2.TDE", E(Cpu.breakpoint_to_el2)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.BreakpointToEl1), RunState.InGuest, "Arm ARM AArch64.CheckBreakpoint, taken by the guest's EL1", E(Cpu.guest_breakpoint)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.WatchpointToEl2), RunState.HandlingExit, "Arm ARM AArch64.CheckWatchpoint, routed to EL2 by MDCR_EL2.TDE", E(Cpu.watchpoint_to_el2)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.WatchpointToEl1), RunState.InGuest, "Arm ARM AArch64.CheckWatchpoint, taken by the guest's EL1", E(Cpu.guest_watchpoint)),
            Row(In(RunState.InGuest), RunTrigger.execute, G(Cpu.InstructionTrapsToEl2), RunState.HandlingExit, "trap to EL2 (data abort, SYS64, HVC, WFx, BRK with TDE)", E(Cpu.trap_to_el2)),
            Row(In(RunState.InGuest), RunTrigger.execute, Guard<Ctx>.Always, RunState.InGuest, "native execution", E(Cpu.execute)),

            // ---- exit handling: handle_exit() ----
            Row(Exit, RunTrigger.handle_exit, G(IsSoftwareStep), RunState.InVmm, "handle_exit.c kvm_handle_guest_debug (SOFTSTP_LOW)", E(world_switch_exit), handle_step, E(exit_debug), E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, G(IsBrkSkippedUnderOsLock), RunState.EnteringGuest, "2021 v2 posting: a BRK trapped by the OS Lock's TDE is skipped (kvm_incr_pc)", E(world_switch_exit), E(handle_in_kernel)),
            Row(Exit, RunTrigger.handle_exit, G(IsBrk), RunState.InVmm, "handle_exit.c kvm_handle_guest_debug (BRK64)", E(world_switch_exit), E(exit_debug), E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, G(IsBreakpointOrWatchpoint), RunState.InVmm, "handle_exit.c kvm_handle_guest_debug (BREAKPT_LOW, WATCHPT_LOW with FAR)", E(world_switch_exit), E(exit_debug), E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, G(IsHostIrq), RunState.EnteringGuest, "arm.c: ARM_EXCEPTION_IRQ, re-enter", E(world_switch_exit)),
            Row(Exit, RunTrigger.handle_exit, G(IsMmioUser), RunState.InVmm, "mmio.c io_mem_abort → KVM_EXIT_MMIO", E(world_switch_exit), mmio_user, E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, G(IsNisvAndDraftStepExit), RunState.InVmm, "2017 draft handle_trap_exceptions: a failed handler (-ENOSYS) becomes a debug exit with the trap's ESR", E(world_switch_exit), E(kvm_arm_handle_step_debug), E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, G(IsNisv), RunState.InVmm, "mmio.c io_mem_abort without ISV", E(world_switch_exit), mmio_nisv, E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, G(IsHypCpuIfFault), RunState.EnteringGuest, "hyp: __vgic_v2_perform_cpuif_access failed → skip, ARM_EXCEPTION_EL1_SERROR → kvm_inject_vabt", E(world_switch_exit), E(cpuif_failure_skip), E(kvm_inject_vabt)),
            Row(Exit, RunTrigger.handle_exit, G(HandledInKernelWithStepExit), RunState.InVmm, "v4.15 handle_trap_exceptions: handled > 0 while stepping → kvm_arm_handle_step_debug", E(world_switch_exit), E(handle_in_kernel), E(kvm_arm_handle_step_debug), E(return_to_user)),
            Row(Exit, RunTrigger.handle_exit, Guard<Ctx>.Always, RunState.EnteringGuest, "handle_trap_exceptions: handled in the kernel, resume", E(world_switch_exit), E(handle_in_kernel)),

            // ---- the environment ----
            Row(Any, RunTrigger.guest_irq, Guard<Ctx>.Always, null, "a virtual interrupt becomes pending (vGIC list register / HCR_EL2.VI)", E(set_guest_irq)),
            Row(In(RunState.InGuest), RunTrigger.host_irq, Guard<Ctx>.Always, null, "a physical interrupt arrives while the guest runs", E(set_host_irq)),
            Row(Any, RunTrigger.signal, Guard<Ctx>.Always, null, "a signal for the vCPU thread", E(set_signal)),
        ],
        Ignore =
        [
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.KVM_SET_GUEST_DEBUG, "vCPU ioctls wait for KVM_RUN to return (the vcpu mutex)"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.KVM_RUN, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.mmio_data, "userspace writes kvm_run only between runs in this model"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.KVM_SET_VCPU_EVENTS, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.KVM_GET_ONE_REG, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.KVM_SET_ONE_REG, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.KVM_ENABLE_CAP, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), RunTrigger.vmm_emulate, "userspace emulates only between runs"),
            new(In(RunState.InVmm, RunState.EnteringGuest, RunState.HandlingExit), RunTrigger.host_irq, "the host takes its own interrupt; the vCPU sees nothing unless it is in the guest"),
            new(In(RunState.InVmm, RunState.InGuest, RunState.HandlingExit), RunTrigger.enter, "automatic step of EnteringGuest only"),
            new(In(RunState.InVmm, RunState.EnteringGuest, RunState.HandlingExit), RunTrigger.execute, "automatic step of InGuest only"),
            new(In(RunState.InVmm, RunState.EnteringGuest, RunState.InGuest), RunTrigger.handle_exit, "automatic step of HandlingExit only"),
        ],
    };

    // ---- guards ----
    public static bool ImmediateExitRequested(Ctx c) => c.V.ImmediateExit && c.Input is Run { ImmediateExit: true };
    public static bool SignalPending(Ctx c) => c.S.SignalPending;
    public static bool SErrorOnly(Ctx c) => c.Input is SetVcpuEvents { SErrorPending: true, ExtDabtPending: false };
    public static bool StepExitAfterMmioReturn(Ctx c) =>
        c.V.handle_trap_exceptions == TrapExceptions.SyntheticStepExit && c.Stepping && !TrapEmulation.NothingToComplete(c);
    private static bool CauseIs(Ctx c, ExitCauseKind k) => c.S.Cause?.Kind == k;
    public static bool IsSoftwareStep(Ctx c) => CauseIs(c, ExitCauseKind.SoftwareStep);
    public static bool IsBrk(Ctx c) => CauseIs(c, ExitCauseKind.Brk);
    public static bool IsBrkSkippedUnderOsLock(Ctx c) =>
        IsBrk(c) && c.V.trap_oslar_el1 == OsLockEmulation.TdeSkipBrk && c.S.OSLSR_EL1.OSLK && c.S.guest_debug == KvmGuestDebug.None;
    public static bool IsBreakpointOrWatchpoint(Ctx c) => CauseIs(c, ExitCauseKind.Breakpoint) || CauseIs(c, ExitCauseKind.Watchpoint);
    public static bool IsHostIrq(Ctx c) => CauseIs(c, ExitCauseKind.HostIrq);
    public static bool IsMmioUser(Ctx c) => CauseIs(c, ExitCauseKind.MmioUser);
    public static bool IsNisv(Ctx c) => CauseIs(c, ExitCauseKind.MmioNoIsv);
    public static bool IsNisvAndDraftStepExit(Ctx c) =>
        IsNisv(c) && c.Stepping && c.V.handle_trap_exceptions == TrapExceptions.SyntheticStepExitDraft && !TrapEmulation.NisvToUserEnabled(c);
    public static bool IsHypCpuIfFault(Ctx c) => CauseIs(c, ExitCauseKind.HypCpuIfFault);
    public static bool HandledInKernelWithStepExit(Ctx c) => c.Stepping && c.V.handle_trap_exceptions != TrapExceptions.Plain;

    // ---- effects: VMM inputs ----
    public static Ctx write_mmio_data(Ctx c) => c.With(s => s with { mmio_data = ((CompleteMmio)c.Input!).Data });

    /// <summary>KVM_GET_ONE_REG: the context value; a register this version does not enumerate is -ENOENT
    /// (recorded as a read of 0 is not possible, so the query is not recorded and the VMM learns nothing).</summary>
    public static Ctx get_one_reg(Ctx c)
    {
        var g = (GetOneReg)c.Input!;
        if (!c.V.Lists(g.Reg)) return c.Kvm($"KVM_GET_ONE_REG({g.Reg}): -ENOENT, not a register of this version");
        return c.Emit(g with { Value = c.S.ReadOne(g.Reg) });
    }

    /// <summary>KVM_SET_ONE_REG: OSLSR_EL1 goes through OsLock (set_oslsr_el1); the rest are stored.</summary>
    public static Ctx set_one_reg(Ctx c)
    {
        var w = (SetOneReg)c.Input!;
        if (w.Reg == OneReg.OSLSR_EL1) return OsLock.Machine.Fire(c, OsLockTrigger.KVM_SET_ONE_REG, (x, m) => x.Unhandled(m));
        if (!c.V.Lists(w.Reg)) return c.Emit(w with { Error = Errno.ENOENT });
        return c.Emit(w).With(s => s.WriteOne(w.Reg, w.Value));
    }

    public static Ctx enable_cap(Ctx c)
    {
        var e = (EnableCap)c.Input!;
        if (e.Cap == KvmCap.KVM_CAP_ARM_NISV_TO_USER && c.V.NisvToUser) return c.Emit(e).With(s => s with { return_nisv_io_abort_to_user = true });
        if (e.Cap == KvmCap.KVM_CAP_ARM_INJECT_EXT_DABT && c.V.kvm_inject_dabt == ExtDabt.Supported) return c.Emit(e);
        return c.Emit(e with { Error = Errno.EINVAL });
    }

    /// <summary>serror_pending: a virtual SError becomes pending (HCR_EL2.VSE), taken when the guest unmasks it.</summary>
    public static Ctx set_serror_pending(Ctx c)
    {
        var e = (SetVcpuEvents)c.Input!;
        return c.V.VcpuEvents
            ? c.Emit(e).With(s => s with { VSErrorPending = true })
            : c.Emit(e with { Error = Errno.EINVAL });
    }

    // ---- effects: the run loop ----
    /// <summary>immediate_exit: KVM_RUN returns -EINTR; kvm_run.exit_reason is left as it was.</summary>
    public static Ctx exit_eintr(Ctx c) => c.With(s => s with { Return = new PendingReturn(null, null, Errno.EINTR) });

    public static Ctx exit_signal(Ctx c) =>
        c.With(s => s with { SignalPending = false, Return = new PendingReturn(KvmExitReason.KVM_EXIT_INTR, null, null) });

    /// <summary>The way out of KVM_RUN: commit pending adjustments (v5.13+), vcpu_put, and report.</summary>
    public static Ctx return_to_user(Ctx c)
    {
        if (c.V.__kvm_adjust_pc == AdjustPc.DeferredCommittedOnReturn) c = Fire(c, TrapTrigger.__kvm_adjust_pc);
        c = Fire(c, GuestDebugTrigger.vcpu_put);
        var r = c.S.Return ?? new PendingReturn(KvmExitReason.KVM_EXIT_UNKNOWN, null, null);
        var pc = c.S.PC;
        TraceEvent ev = r.Errno is { } e ? new RunFailed(e, pc) : new Spec.Trace.Exit(r.Reason!.Value, pc, r.Payload);
        return c.With(s => s with { Return = null, Cause = null, exit_reason = r.Reason ?? s.exit_reason }).Emit(ev);
    }

    /// <summary>Back from the guest: DEBUG_DIRTY is cleared by the debug switch (before v6.14), then
    /// kvm_arm_clear_debug().</summary>
    public static Ctx world_switch_exit(Ctx c)
    {
        c = c.With(s => s with { DEBUG_DIRTY = c.V.kvm_arm_setup_mdcr_el2 == DebugRegTraps.LazyDirty ? false : s.DEBUG_DIRTY });
        return Fire(c, GuestDebugTrigger.clear_debug);
    }

    // ---- effects: exit handlers ----
    public static Ctx exit_debug(Ctx c)
    {
        var esr = c.S.Cause!.Value.Esr.Encode();
        ulong far = c.S.Cause!.Value.Kind == ExitCauseKind.Watchpoint ? GuestProgram.RamAddr : 0;
        var arch = new kvm_debug_exit_arch((uint)esr, c.V.HsrHigh ? (uint)(esr >> 32) : 0, far);
        uint flags = c.V.HsrHigh ? kvm_debug_exit_arch.KVM_DEBUG_ARCH_HSR_HIGH_VALID : 0;
        return c.With(s => s with { Return = new PendingReturn(KvmExitReason.KVM_EXIT_DEBUG, new DebugPayload(arch, flags), null) });
    }

    /// <summary>v4.15 kvm_arm_handle_step_debug(): a made-up KVM_EXIT_DEBUG with hsr = EC SOFTSTP_LOW only;
    /// the 2017 draft reported the trap's own ESR instead.</summary>
    public static Ctx kvm_arm_handle_step_debug(Ctx c)
    {
        uint hsr = c.V.handle_trap_exceptions == TrapExceptions.SyntheticStepExitDraft && c.S.Cause is { } cause
            ? (uint)cause.Esr.Encode()
            : (uint)ExceptionClass.SOFTSTP_LOW << 26;
        return c.With(s => s with { Return = new PendingReturn(KvmExitReason.KVM_EXIT_DEBUG, new DebugPayload(new kvm_debug_exit_arch(hsr, 0, 0), 0), null) })
                .Kvm($"kvm_arm_handle_step_debug: synthesised KVM_EXIT_DEBUG, hsr=0x{hsr:X8}");
    }

    /// <summary>Traps KVM handles without userspace: stage-2 faults, in-kernel MMIO, system registers,
    /// failed AArch32 conditions, HVC, WFI.</summary>
    public static Ctx handle_in_kernel(Ctx c)
    {
        var cause = c.S.Cause!.Value;
        switch (cause.Kind)
        {
            case ExitCauseKind.Stage2Fault:
                int i = c.P.IndexOf(cause.Pc);
                return c.With(s => s with { MappedPages = i >= 0 ? s.MappedPages | 1UL << i : s.MappedPages })
                        .Kvm("kvm_handle_guest_abort: map the page at stage 2, re-execute the instruction");
            case ExitCauseKind.MmioKernel:
                // Before v5.0 decode_hsr() skipped before the vGIC read and after it only Rt is
                // written; the PC moves once either way.
                return Fire(c.With(s => s with { X0 = 0x1 }).Kvm("io_mem_abort: the vGIC distributor handles the read; kvm_handle_mmio_return"), TrapTrigger.emulated);
            case ExitCauseKind.Sysreg:
                return Fire(EmulateSysreg(c, cause.Insn), TrapTrigger.emulated);
            case ExitCauseKind.Brk:
                return Fire(c.Kvm("2021 v2: the OS Lock is set, the trapped BRK is skipped"), TrapTrigger.emulated);
            case ExitCauseKind.CondFailed:
                return Fire(c.Kvm("handle_trap_exceptions: condition check failed, skip"), TrapTrigger.emulated);
            case ExitCauseKind.Hvc:
                return c.With(s => s with { X0 = 0x10000 }).Kvm("kvm_hvc_call_handler: PSCI_VERSION (the PC is already past the HVC)");
            case ExitCauseKind.Wfi:
                return Fire(c.Kvm("kvm_handle_wfx: WFI completes (an interrupt or a spurious wake-up)"), TrapTrigger.emulated);
            default:
                return c.Unhandled($"handle_in_kernel: no handler for {cause.Kind}");
        }
    }

    /// <summary>kvm_handle_sys_reg() for a trapped MSR/MRS: the OS Lock registers through OsLock,
    /// OSDLR_EL1 RAZ/WI, the debug registers on the guest's context copy (trap_debug_regs, trap_bvr, ...).</summary>
    public static Ctx EmulateSysreg(Ctx c, Instruction ins)
    {
        var (reg, write) = ins.SysRegAccess!.Value;
        ulong value = write ? ins.WrittenValue(c.S.X0) : 0;
        var name = reg.ToString();
        switch (reg)
        {
            case SysReg.OSLAR_EL1 when write:
                var w = new GuestRegWrite(reg, value);
                return OsLock.Machine.Fire(c.Emit(w) with { Input = w }, OsLockTrigger.oslar_write, (x, m) => x.Unhandled(m)) with { Input = null };
            case SysReg.OSLSR_EL1 when !write:
                return OsLock.Machine.Fire(c, OsLockTrigger.oslsr_read, (x, m) => x.Unhandled(m));
            case SysReg.OSDLR_EL1:
                return write
                    ? c.Emit(new GuestRegWrite(reg, value)).Kvm("trap_raz_wi: OSDLR_EL1 write ignored (double lock not emulated)")
                    : c.With(s => s with { X0 = 0 }).Emit(new GuestRegRead(reg, 0)).Kvm("trap_raz_wi: OSDLR_EL1 reads as zero");
            case SysReg.OSLAR_EL1 or SysReg.OSLSR_EL1:
                return c.Unhandled($"{(write ? "write to" : "read of")} {name} is UNDEFINED; the model's programs do not do it");
        }
        if (write)
        {
            c = c.Emit(new GuestRegWrite(reg, value)).With(s => s.WriteSys(reg, value));
            if (c.V.kvm_arm_setup_mdcr_el2 == DebugRegTraps.LazyDirty)
                return c.With(s => s with { DEBUG_DIRTY = true }).Kvm($"kvm_handle_sys_reg: {name} written to the context, DEBUG_DIRTY := 1");
        }
        else
        {
            var v = c.S.ReadSys(reg);
            c = c.With(s => s with { X0 = v }).Emit(new GuestRegRead(reg, v));
            if (c.V.kvm_arm_setup_mdcr_el2 == DebugRegTraps.LazyDirty)
                return c.Kvm($"kvm_handle_sys_reg: {name} read from the guest's context copy");
        }
        return kvm_debug_set_guest_ownership(c.Kvm($"kvm_handle_sys_reg: trap_debug_regs {(write ? "writes" : "reads")} the guest's {name}"));
    }

    /// <summary>v6.14 kvm_debug_set_guest_ownership(): a trapped debug-register access while the host
    /// does not own debug makes the guest the owner; MDCR_EL2.TDA is cleared, the guest's registers
    /// go to the hardware.</summary>
    public static Ctx kvm_debug_set_guest_ownership(Ctx c)
    {
        if (c.S.debug_owner == DebugOwner.VCPU_DEBUG_HOST_OWNED) return c;
        return c.With(s => s with
        {
            debug_owner = DebugOwner.VCPU_DEBUG_GUEST_OWNED,
            MDCR_EL2 = s.MDCR_EL2 with { TDA = false },
            HwMDSCR_EL1 = s.MDSCR_EL1,
        }).Kvm("kvm_debug_set_guest_ownership: debug_owner := GUEST_OWNED, TDA := 0");
    }

    /// <summary>The failed GICv2 CPU-interface access is skipped in hyp (__skip_instr / __kvm_skip_instr).</summary>
    public static Ctx cpuif_failure_skip(Ctx c)
    {
        var cause = c.S.Cause!.Value;
        return TrapEmulation.kvm_skip_instr(c.Emit(new Retired(cause.Pc, cause.Pc + Instruction.Length, RetiredBy.Kvm, cause.Insn.Mnemonic)));
    }

    /// <summary>kvm_inject_vabt(): a virtual SError becomes pending for the guest (HCR_EL2.VSE).</summary>
    public static Ctx kvm_inject_vabt(Ctx c) => c.With(s => s with { VSErrorPending = true }).Kvm("kvm_inject_vabt: virtual SError pending");

    // ---- effects: the environment ----
    public static Ctx set_guest_irq(Ctx c) => c.With(s => s with { GuestIrqPending = true });
    public static Ctx set_host_irq(Ctx c) => c.With(s => s with { HostIrqPending = true });
    public static Ctx set_signal(Ctx c) => c.With(s => s with { SignalPending = true });
}
