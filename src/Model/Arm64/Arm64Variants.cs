using System.Collections.Immutable;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Arm64;

/// <summary>The arm64 variants: releases and posted proposals, each a set of decision-point
/// choices with sources and the violations it must show.</summary>
/// <remarks>Where the kernel source was read by version for this catalogue, the source names the
/// release tree; [I] marks a consequence the model derives from read code but nobody has reported.</remarks>
public static class Arm64Variants
{
    private static ImmutableDictionary<string, string> Why(params (string Key, string Reason)[] r) =>
        r.ToImmutableDictionary(x => x.Key, x => x.Reason);


    private const string DivertedReason =
        "MDCR_EL2.TDE routes every debug exception to EL2 while guest_debug is set, the guest's own BRK included: the VMM gets the guest's BRK as KVM_EXIT_DEBUG " +
        "and arm64 has no way to hand it back (QEMU re-injects it by hand, kvm_arm_handle_debug). Before v6.14 the guest's own MDE and KDE also stay in the hardware while the host steps, " +
        "so its breakpoints exit to the VMM. The known composition gap of host- and guest-directed debug (2018 thread: they \"don't compose\"; dossier A.9).";

    private const string NativeMdscrReason =
        "[I] A trapped debug-register write sets DEBUG_DIRTY, which clears MDCR_EL2.TDA for the next entry; the guest's own MSR MDSCR_EL1 (SS, KDE) then reaches the hardware, " +
        "and under KVM_GUESTDBG_ENABLE without SINGLESTEP (TDE set) its own step exits to the VMM as a software-step KVM_EXIT_DEBUG (kvm_arm_setup_mdcr_el2; the hole of dossier open question 6). Closed by v6.14's debug_owner.";

    private const string LostMdscrReason =
        "[I] Before v6.14 a guest MSR MDSCR_EL1 that reaches the hardware while the host debugs (TDA is clear for one entry after a trapped debug-register write) is undone at the exit: " +
        "kvm_arm_clear_debug() restores the copy save_guest_debug_regs() took at entry. From the next entry the guest's own breakpoints (and, in v5.0-v5.10, its own step) are off although it enabled them (debug.c, read by version).";

    private const string OsLockRazWiReason =
        "OSLAR_EL1 is RAZ/WI before v5.18: the guest's lock has no effect, its breakpoints, watchpoints and steps keep firing (\"KVM has not implemented the OS lock for its guests\", 7dabf02f43a1).";

    private const string OslsrConstantReason =
        "Before v5.18 trap_oslsr_el1() returns the constant 0x8 (OSLK = 0) whatever the guest wrote to OSLAR_EL1 (sys_regs.c, read by version).";

    private const string GuestStepPcOnlyReason =
        "kvm_skip_instr() advances only the PC: a guest stepping itself over a KVM-emulated instruction runs the next one too before its own step exception (bd7d95cafb49 fixed it for host and guest alike).";

    private const string OslkReset1Reason =
        "OSLSR_EL1 is not in the source's KVM_GET_REG_LIST (before v5.18), so the destination keeps its reset value 0xA: a guest that was unlocked on the source arrives locked, " +
        "reads OSLK = 1 and loses its debug exceptions until it unlocks (Oliver Upton, 2021 thread: \"blocking all debug exceptions intended for the guest until the next reboot\").";

    private const string HardwareLockReason =
        "The guest's lock in the hardware OS Lock blocks debug exceptions at every Exception level (AArch64.GenerateDebugExceptionsFrom), the host's step too: with the lock set the guest runs on under KVM_GUESTDBG_SINGLESTEP until the VMM kicks it.";

    private const string FrameReason =
        "An exception entry saves PSTATE.SS into SPSR_EL1 (Arm ARM \"Exception entry\"); while the host steps, PSTATE.SS is the host's bit. " +
        "The CPU does this for interrupts it takes natively, and KVM's enter_exception64() mirrors it for injected exceptions, " +
        "so the host's step bit lands in the guest's frame (dossier open question 9). Architecturally unavoidable with software step; KVM does not filter injected ones either.";

    private const string VmmEmulatedReason =
        "After KVM_EXIT_ARM_NISV the VMM emulates the access and advances the PC with KVM_SET_ONE_REG; KVM cannot tell that an instruction retired, " +
        "does not advance the step state, and the next entry steps one more instruction (dossier open question 8; io_mem_abort leaves the step state untouched).";

    private const string StepOnePastVectorReason =
        "kvm_arm_setup_debug() forces SS=1 before every entry: when an exit interrupts the active-pending state at an exception vector (a host IRQ right after the guest took an interrupt, or an abort injected on the way out), the handler's first instruction runs before the step exception (the \"overshoot\" of the 2017 review).";

    private const string NoLeakUserspaceReason =
        "PSTATE.SS forced to 1 and never restored (34fbdee086cf).";

    private const string PcOnceAbortedReason =
        "The aborted MMIO is retired and the abort lost (see arm64/v6.12).";

    private const string NoLeakSysregReason =
        "One entry with TDA clear after a trapped debug-register write (dossier open question 6).";

    private const string InheritedUserspaceReason =
        "Inherited: PSTATE.SS forced to 1 and never restored.";

    private const string PcOnceEarlyReason =
        "Inherited: decode_hsr() skips the MMIO instruction before it is emulated.";

    /// <summary>v6.14+ (Oliver Upton's "KVM: arm64: Debug cleanups").</summary>
    public static readonly Variant Upstream = new()
    {
        Id = "arm64/upstream",
        Kind = "release",
        Summary = "v6.14+: the step bit is swapped at vcpu_load/vcpu_put (HOST_/GUEST_SS_ACTIVE_PENDING), the hardware uses external_mdscr_el1, PC and exception adjustments are deferred and committed before every return, an aborted MMIO is not retired.",
        Sources =
        [
            Sources.Commit("2ca3f03bf524", "KVM: arm64: Manage software step state at load/put"),
            Sources.Commit("4ad3a0b87f2e", "KVM: arm64: Don't hijack guest context MDSCR_EL1"),
            Sources.Commit("e735a5da6442", "KVM: arm64: Don't retire aborted MMIO instruction"),
            Sources.Commit("26778aaa134a", "KVM: arm64: Commit pending PC adjustemnts before returning to userspace"),
            Sources.Code("arch/arm64/kvm/mmio.c", "kvm_handle_mmio_return: returns early, leaving mmio_needed set, while an external abort is pending"),
        ],
        kvm_arm_setup_debug = SetupDebug.LoadPut,
        kvm_skip_instr = SkipInstr.PcAndSS,
        __kvm_adjust_pc = AdjustPc.DeferredCommittedOnReturn,
        io_mem_abort = MmioDecode.SkipAfterEmulation,
        kvm_handle_mmio_return = MmioReturn.NotWhenAbortPending,
        handle_trap_exceptions = TrapExceptions.Plain,
        kvm_arm_setup_mdcr_el2 = DebugRegTraps.HostOwned,
        kvm_inject_dabt = ExtDabt.Supported,
        trap_oslar_el1 = OsLockEmulation.HostOwned,
        MigrationSource = "arm64/v5.13",
        NisvToUser = true,
        ImmediateExit = true,
        HsrHigh = true,
        ExpectedViolations = ["NO-LEAK:frame", "STEP-ONE:vmm-emulated", "PC-ONCE:aborted", "STEP-ONE:none", "STEP-ONE:past-vector", "TRANSPARENT:diverted", "TRANSPARENT:suppressed"],
        Reasons = Why(
            ("TRANSPARENT:diverted", DivertedReason),
            ("TRANSPARENT:suppressed", "setup_external_mdscr() clears the guest's MDE and KDE while the host owns debug (2ca3f03bf524): under any KVM_SET_GUEST_DEBUG the guest's own breakpoints and watchpoints do not fire at all; arm64 offers no composition (dossier A.9)."),
           
            ("STEP-ONE:none", "[I] kvm_arch_vcpu_ioctl_set_guest_debug() clears the host step flag only when ENABLE is dropped (370531d1e95b's guest.c hunk, kept by v6.14): a VMM that turns SINGLESTEP off but keeps ENABLE while HOST_SS_ACTIVE_PENDING is set, then turns it on again, gets a step exit before any instruction retired."),
            ("STEP-ONE:past-vector", "[I] The same corner as PC-ONCE:aborted: the stale completion of the aborted access retires at the abort vector, after the step entered it."),
            ("NO-LEAK:frame", FrameReason),
            ("STEP-ONE:vmm-emulated", VmmEmulatedReason),
            ("PC-ONCE:aborted",
             "[I] e735a5da6442 returns early from kvm_handle_mmio_return() while an abort is pending and leaves mmio_needed set; an immediate_exit " +
             "KVM_RUN commits the abort and returns -EINTR without changing kvm_run.exit_reason (still KVM_EXIT_MMIO), so the next KVM_RUN completes " +
             "the aborted access after all: Rt written and PC = vector + 4. Read in arch/arm64/kvm/mmio.c and arm.c; not reproduced on hardware.")),
    };

    /// <summary>v6.1-v6.13 design (Reiji Watanabe's step-state preservation), before e735a5da6442.</summary>
    public static readonly Variant V6_12 = Upstream with
    {
        Id = "arm64/v6.12",
        Summary = "v6.1-v6.12: guest PSTATE.SS saved and restored around each run, DBG_SS_ACTIVE_PENDING recorded at guest exits; the guest's MDSCR_EL1 is lazily switched (DEBUG_DIRTY); an aborted MMIO is still retired.",
        Sources =
        [
            Sources.Commit("34fbdee086cf", "KVM: arm64: Preserve PSTATE.SS for the guest while single-step is enabled"),
            Sources.Commit("370531d1e95b", "KVM: arm64: Clear PSTATE.SS when the Software Step state was Active-pending"),
            Sources.Code("arch/arm64/kvm/debug.c @06d22a9c1b94", "kvm_arm_setup_debug / kvm_arm_clear_debug with DBG_SS_ACTIVE_PENDING"),
            Sources.Commit("e735a5da6442", "KVM: arm64: Don't retire aborted MMIO instruction (the fix this version lacks)"),
        ],
        kvm_arm_setup_debug = SetupDebug.ActivePendingFlag,
        kvm_arm_setup_mdcr_el2 = DebugRegTraps.LazyDirty,
        trap_oslar_el1 = OsLockEmulation.ClearMdeSs,
        kvm_handle_mmio_return = MmioReturn.OnceMmioNeeded,
        ExpectedViolations = ["STEP-ONE:extra", "STEP-ONE:vmm-emulated", "NO-LEAK:frame", "NO-LEAK:sysreg", "PC-ONCE:aborted", "STEP-ONE:none", "STEP-ONE:past-vector", "EXIT-SYNDROME:ec", "TRANSPARENT:diverted", "TRANSPARENT:suppressed"],
        Reasons = Why(
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("TRANSPARENT:diverted", DivertedReason),
           
            ("STEP-ONE:none", "[I] DBG_SS_ACTIVE_PENDING is cleared only by a step exit or when ENABLE is dropped (370531d1e95b): SINGLESTEP turned off with ENABLE kept and on again while it is set gives a step exit before any instruction."),
            ("STEP-ONE:past-vector", "[I] An abort committed on the way out leaves the step active-pending at the vector without a guest exit to record it; the next kvm_arm_setup_debug() sets SS=1 and the handler's first instruction runs."),
            ("STEP-ONE:extra", "[I] DBG_SS_ACTIVE_PENDING is recorded only by kvm_arm_clear_debug() after a real guest exit; when the PC is committed on the way out (immediate_exit or a signal before entry) the next kvm_arm_setup_debug() sets SS=1 and one more instruction runs. Fixed by v6.14's put-time sampling."),
            ("STEP-ONE:vmm-emulated", VmmEmulatedReason),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", "[I] After a trapped debug-register write (DEBUG_DIRTY) MDCR_EL2.TDA is clear on the next entry and the hardware MDSCR_EL1 carries KVM's SS; reachable here only after a commit-on-exit return re-armed SS (dossier open question 6). Closed by 4ad3a0b87f2e in v6.14."),
            ("PC-ONCE:aborted", "After KVM_EXIT_MMIO and ext_dabt_pending, kvm_handle_mmio_return() still writes Rt and kvm_incr_pc() sets INCREMENT_PC over the pending EXCEPT_AA64_EL1_SYNC; the shared bit makes it EXCEPT_AA64_EL1_IRQ, which kvm_inject_exception() ignores: the abort is lost (e735a5da6442; kvm_host.h flag layout).")),
    };

    /// <summary>v6.1, the first release with the step-state preservation (same model as v6.12).</summary>
    public static readonly Variant V6_1 = V6_12 with
    {
        Id = "arm64/v6.1",
        Summary = "v6.1: Reiji Watanabe's fixes land (guest PSTATE.SS preserved, active-pending remembered across exits); the decision points are those of v6.12.",
    };

    /// <summary>v5.13-v6.0: deferred adjustments committed before returning, SS still forced every entry.</summary>
    public static readonly Variant V5_13 = V6_12 with
    {
        Id = "arm64/v5.13",
        Summary = "v5.13-v6.0: pending PC/exception adjustments committed before every return to userspace; kvm_arm_setup_debug() still forces PSTATE.SS=1 before every entry and never restores the guest's.",
        Sources =
        [
            Sources.Commit("26778aaa134a", "KVM: arm64: Commit pending PC adjustemnts before returning to userspace"),
            Sources.Commit("e3e880bb1518", "KVM: arm64: Resolve all pending PC updates before immediate exit"),
            Sources.Code("arch/arm64/kvm/debug.c (v5.17-rc5)", "kvm_arm_setup_debug: *vcpu_cpsr |= DBG_SPSR_SS under SINGLESTEP"),
        ],
        kvm_arm_setup_debug = SetupDebug.ForceSsEveryEntry,
        HsrHigh = false,
        trap_oslar_el1 = OsLockEmulation.RazWi,
        MigrationSource = null,
        ExpectedViolations = ["STEP-ONE:extra", "STEP-ONE:vmm-emulated", "NO-LEAK:userspace", "NO-LEAK:frame", "NO-LEAK:sysreg", "PC-ONCE:aborted", "STEP-ONE:past-vector", "EXIT-SYNDROME:ec", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "TRANSPARENT:suppressed"],
        Reasons = Why(
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "kvm_arm_setup_debug() sets SS=1 before every entry: an exit taken while the step was active-pending (a host IRQ after the instruction completed, or a PC committed on the way out) runs one more instruction (34fbdee086cf / 370531d1e95b cover letter)."),
            ("STEP-ONE:vmm-emulated", VmmEmulatedReason),
            ("NO-LEAK:userspace", "The forced PSTATE.SS=1 is never restored: KVM_GET_ONE_REG shows the host's bit (34fbdee086cf)."),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", "[I] Commit-on-exit corner of dossier open question 6 (see arm64/v6.12)."),
            ("PC-ONCE:aborted", PcOnceAbortedReason)),
    };

    /// <summary>v5.11-v5.12: deferred PC increment, not committed before returning to userspace.</summary>
    public static readonly Variant V5_11 = V5_13 with
    {
        Id = "arm64/v5.11",
        Summary = "v5.11-v5.12: kvm_incr_pc() and exception injection are deferred to __kvm_adjust_pc() at the next guest entry, and nothing commits them before a return to userspace.",
        Sources = [Sources.Code("arch/arm64/kvm/hyp/exception.c", "__kvm_adjust_pc (Marc Zyngier, v5.11)"), Sources.Commit("26778aaa134a", "KVM: arm64: Commit pending PC adjustemnts before returning to userspace (the fix this version lacks)")],
        __kvm_adjust_pc = AdjustPc.DeferredToEntry,
        ExpectedViolations = ["STEP-ONE:extra", "STEP-ONE:vmm-emulated", "NO-LEAK:userspace", "NO-LEAK:frame", "PC-ONCE:aborted", "EXIT-CONSISTENT:pc", "EXIT-CONSISTENT:pending", "STEP-ONE:past-vector", "STEP-ONE:none", "EXIT-SYNDROME:ec", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "TRANSPARENT:suppressed", "NO-LEAK:sysreg"],
        Reasons = Why(
            ("NO-LEAK:sysreg", "[I] The guest's native MSR MDSCR_EL1 made while the host debugs is undone at the exit (see TRANSPARENT:suppressed); a later read returns the guest's older value, whose SS NO-LEAK cannot tell from the host's."),
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
           
            ("STEP-ONE:none", "The INCREMENT_PC hidden at a return is applied by __kvm_adjust_pc() after the next kvm_arm_setup_debug() and clears SS: the first step after enabling SINGLESTEP stops before any instruction (same root cause as EXIT-CONSISTENT)."),
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "A host IRQ exit while the step is active-pending: the next kvm_arm_setup_debug() sets SS=1 (370531d1e95b)."),
            ("STEP-ONE:vmm-emulated", VmmEmulatedReason),
            ("NO-LEAK:userspace", NoLeakUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
            ("PC-ONCE:aborted", PcOnceAbortedReason),
            ("EXIT-CONSISTENT:pc", "INCREMENT_PC survives a return to userspace: KVM_GET_ONE_REG shows the PC before the retired instruction (26778aaa134a, reported by Zenghui Yu)."),
            ("EXIT-CONSISTENT:pending", "The hidden INCREMENT_PC is applied at the next entry on top of the PC userspace saw or wrote with KVM_SET_ONE_REG (26778aaa134a).")),
    };

    /// <summary>v5.5-v5.10: NISV to userspace and external-abort injection, immediate adjustments.</summary>
    public static readonly Variant V5_5 = V5_13 with
    {
        Id = "arm64/v5.5",
        Summary = "v5.5-v5.10: KVM_CAP_ARM_NISV_TO_USER and ext_dabt_pending exist; kvm_skip_instr() and exception injection rewrite the context at once, and kvm_arm_setup_debug() re-arms SS after every in-kernel skip.",
        Sources =
        [
            Sources.Commit("da345174ceca", "KVM: arm/arm64: Allow user injection of external data aborts"),
            Sources.Thread("2019-09", "KVM: arm/arm64: inject data abort if instruction cannot be decoded (became KVM_CAP_ARM_NISV_TO_USER)"),
            Sources.Commit("2113c5f62b74", "KVM: arm/arm64: Only skip MMIO insn once (v5.3)"),
            Sources.Code("arch/arm64/kvm/arm.c, debug.c (v5.10)", "kvm_arm_setup_debug runs before every entry, after the exit handler's kvm_skip_instr"),
        ],
        __kvm_adjust_pc = AdjustPc.Immediate,
        ExpectedViolations = ["STEP-ONE:extra", "STEP-ONE:vmm-emulated", "NO-LEAK:userspace", "NO-LEAK:frame", "NO-LEAK:sysreg", "PC-ONCE:aborted", "STEP-ONE:past-vector", "EXIT-SYNDROME:ec", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "TRANSPARENT:suppressed", "GUEST-STEP:missed"],
        Reasons = Why(
            ("GUEST-STEP:missed", LostMdscrReason),
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "kvm_skip_instr() clears SS in the exit handler, then kvm_arm_setup_debug() sets it again before the next entry: every KVM-emulated instruction costs two instructions per step (dossier open question 13, read in v5.0.1 and v5.10 sources)."),
            ("STEP-ONE:vmm-emulated", VmmEmulatedReason),
            ("NO-LEAK:userspace", NoLeakUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", "After a trapped debug-register write (DEBUG_DIRTY) TDA is clear for one entry and the hardware MDSCR_EL1 has KVM's SS=1: a native MRS reads it (dossier open question 6, read in v5.0.1/v5.10 debug.c and sys_regs.c)."),
            ("PC-ONCE:aborted", "KVM_SET_VCPU_EVENTS injects the abort at once (PC := vector); the next KVM_RUN's kvm_handle_mmio_return() still writes Rt and skips, so the guest resumes at vector + 4 (e735a5da6442 Fixes: da345174ceca).")),
    };

    /// <summary>v5.0-v5.4: Mark Rutland's consistent step advance, before NISV and ext_dabt.</summary>
    public static readonly Variant V5_0 = V5_5 with
    {
        Id = "arm64/v5.0",
        Summary = "v5.0-v5.2: the PC advances after MMIO emulation and kvm_skip_instr() clears SS, the synthetic step exits are gone, but kvm_arm_setup_debug() re-arms SS before every entry; a KVM_RUN with immediate_exit completes an MMIO twice.",
        Sources =
        [
            Sources.Commit("bd7d95cafb49", "arm64: KVM: Consistently advance singlestep when emulating instructions"),
            Sources.Commit("0d640732dbeb", "arm64: KVM: Skip MMIO insn after emulation"),
            Sources.Commit("2113c5f62b74", "KVM: arm/arm64: Only skip MMIO insn once (the v5.3 fix this version lacks)"),
        ],
        kvm_handle_mmio_return = MmioReturn.WhileExitReasonMmio,
        kvm_inject_dabt = ExtDabt.Unsupported,
        NisvToUser = false,
        ExpectedViolations = ["STEP-ONE:extra", "NO-LEAK:userspace", "NO-LEAK:frame", "NO-LEAK:sysreg", "REENTRY-COMPLETES:twice", "STEP-ONE:past-vector", "EXIT-SYNDROME:ec", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "TRANSPARENT:suppressed", "GUEST-STEP:missed"],
        Reasons = Why(
            ("GUEST-STEP:missed", LostMdscrReason),
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "kvm_skip_instr() clears SS but kvm_arm_setup_debug() sets it again before the next entry (dossier open question 13, read in the v5.0.1 source)."),
            ("NO-LEAK:userspace", NoLeakUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", "One entry with TDA clear after a trapped debug-register write, with KVM's SS in the hardware MDSCR_EL1 (dossier open question 6)."),
            ("REENTRY-COMPLETES:twice", "immediate_exit leaves kvm_run.exit_reason at KVM_EXIT_MMIO and nothing marks the access done, so the next KVM_RUN completes it again and skips another instruction (2113c5f62b74).")),
    };

    /// <summary>v4.15-v4.20: Alex Bennée's synthesised step exits.</summary>
    public static readonly Variant V4_15 = V5_0 with
    {
        Id = "arm64/v4.15",
        Summary = "v4.15-v4.20: after any trap handled in the kernel, and after an MMIO completion, KVM makes up a KVM_EXIT_DEBUG (hsr = EC SOFTSTP_LOW only); decode_hsr() advances the PC before the access is emulated.",
        Sources =
        [
            Sources.Code("arch/arm64/kvm/debug.c, handle_exit.c, virt/kvm/arm/arm.c (v4.15)", "kvm_arm_handle_step_debug and its callers"),
            Sources.Commit("58d0d19a2046", "KVM: arm64: handle single-step of hyp emulated mmio instructions"),
            Sources.Thread("2018-11", "KVM: arm64: don't single-step for non-emulated faults"),
        ],
        kvm_skip_instr = SkipInstr.PcOnly,
        io_mem_abort = MmioDecode.SkipAtDecode,
        handle_trap_exceptions = TrapExceptions.SyntheticStepExit,
        VcpuEvents = false,
        ExpectedViolations = ["STEP-ONE:extra", "STEP-ONE:none", "EXIT-SYNDROME:synthetic", "NO-LEAK:userspace", "NO-LEAK:frame", "NO-LEAK:sysreg", "PC-ONCE:early", "STEP-ONE:past-vector", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "GUEST-STEP:missed", "EXIT-SYNDROME:ec", "TRANSPARENT:suppressed"],
        Reasons = Why(
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
            ("GUEST-STEP:missed", GuestStepPcOnlyReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:none", "A stage-2 fault that only maps memory is 'handled' and followed by a made-up step exit although nothing retired (2018 thread)."),
            ("STEP-ONE:extra", "Exits KVM does not synthesise for (a host IRQ in the active-pending window, HVC to userspace) still re-arm SS=1 (kvm_arm_setup_debug every entry)."),
            ("EXIT-SYNDROME:synthetic", "kvm_arm_handle_step_debug() reports hsr = ESR_ELx_EC_SOFTSTP_LOW << 26: IL=0, no ISS (0xC8000000)."),
            ("NO-LEAK:userspace", NoLeakUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", NoLeakSysregReason),
            ("PC-ONCE:early", "decode_hsr() calls kvm_skip_instr() before the access is emulated: at KVM_EXIT_MMIO the PC is already past it, so userspace cannot fail it (0d640732dbeb; 2018 thread).")),
    };

    /// <summary>v4.2-v4.14: the original host single-step.</summary>
    public static readonly Variant V4_2 = V4_15 with
    {
        Id = "arm64/v4.2",
        Summary = "v4.2-v4.14: host step through MDSCR_EL1.SS/PSTATE.SS with TDE; SS forced to 1 on every entry and kvm_skip_instr() advances only the PC, so an emulated instruction and the next one retire in one step.",
        Sources =
        [
            Sources.Commit("337b99bf7edf", "KVM: arm64: guest debug, add support for single-step"),
            Sources.Thread("2017-08", "arm64: kvm: Fix single step for guest skipped instructions (\"SS did 2 insns\")"),
        ],
        handle_trap_exceptions = TrapExceptions.Plain,
        ImmediateExit = false,
        ExpectedViolations = ["STEP-ONE:extra", "NO-LEAK:userspace", "NO-LEAK:frame", "NO-LEAK:sysreg", "PC-ONCE:early", "STEP-ONE:past-vector", "EXIT-SYNDROME:ec", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "GUEST-STEP:missed", "TRANSPARENT:suppressed"],
        Reasons = Why(
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
            ("GUEST-STEP:missed", GuestStepPcOnlyReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "kvm_skip_instr() moves only the PC and the next entry forces SS=1: the emulated instruction and the next one retire in one step (2017 thread: \"SS did 2 insns\")."),
            ("NO-LEAK:userspace", NoLeakUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", NoLeakSysregReason),
            ("PC-ONCE:early", "decode_hsr() skips the MMIO instruction before it is emulated (0d640732dbeb).")),
    };

    /// <summary>Julien Thierry's 2017 v1: a hidden INST_SKIP flag tells setup not to re-arm SS.</summary>
    public static readonly Variant ProposalInstSkipFlag = V4_2 with
    {
        Id = "arm64/proposal-inst-skip-flag",
        Kind = "proposal",
        Summary = "2017 v1 (Julien Thierry): kvm_skip_instr() sets a hidden KVM_ARM64_DEBUG_INST_SKIP flag (whatever guest_debug is); kvm_arm_setup_debug() enters with SS := !flag and clears it only while debugging.",
        Sources = [Sources.Thread("2017-08", "arm64: kvm: Fix single step for guest skipped instructions (v1 patch 3/3 and review)")],
        kvm_arm_setup_debug = SetupDebug.InstSkipFlag,
        ImmediateExit = true,
        ExpectedViolations = ["STEP-ONE:extra", "STEP-ONE:none", "NO-LEAK:userspace", "NO-LEAK:frame", "PC-ONCE:early", "STEP-ONE:past-vector", "EXIT-SYNDROME:ec", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "GUEST-STEP:missed", "TRANSPARENT:suppressed", "NO-LEAK:sysreg"],
        Reasons = Why(
            ("NO-LEAK:sysreg", "[I] Inherited: the guest's native MSR MDSCR_EL1 made while the host debugs is undone at the exit; a later read returns its older value, whose SS NO-LEAK cannot tell from the host's."),
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("EXIT-SYNDROME:ec", NativeMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
            ("GUEST-STEP:missed", GuestStepPcOnlyReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "HVC advances the step state in hardware without kvm_skip_instr(), and a host IRQ can hit the active-pending window; neither sets the flag, so setup re-arms SS=1 (the review did not catch these)."),
            ("STEP-ONE:none", "The flag is set by every kvm_skip_instr() even while the host is not debugging and cleared only while it is: the first step after enabling SINGLESTEP stops before any instruction."),
            ("NO-LEAK:userspace", InheritedUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
                        ("PC-ONCE:early", PcOnceEarlyReason)),
    };

    /// <summary>Alex Bennée's 2017-10-03 draft in the same thread: synthesise the step exit in handle_trap_exceptions.</summary>
    public static readonly Variant ProposalSyntheticExit = V4_2 with
    {
        Id = "arm64/proposal-synthetic-exit",
        Kind = "proposal",
        Summary = "2017-10-03 draft (Alex Bennée): after any handled trap (errors too) while stepping, exit with KVM_EXIT_DEBUG carrying the trap's own ESR; nothing after userspace MMIO completion.",
        Sources = [Sources.Thread("2017-08", "arm64: kvm: Fix single step for guest skipped instructions (Alex Bennée, 2017-10-03: \"currently untested but otherwise simpler solution\")")],
        handle_trap_exceptions = TrapExceptions.SyntheticStepExitDraft,
        ImmediateExit = true,
        ExpectedViolations = ["STEP-ONE:extra", "EXIT-SYNDROME:ec", "NO-LEAK:userspace", "NO-LEAK:frame", "NO-LEAK:sysreg", "PC-ONCE:early", "STEP-ONE:past-vector", "OSLOCK-BLOCKS:debug-exception", "OSLOCK-BLOCKS:status", "TRANSPARENT:diverted", "GUEST-STEP:missed", "TRANSPARENT:suppressed"],
        Reasons = Why(
            ("TRANSPARENT:suppressed", LostMdscrReason),
            ("OSLOCK-BLOCKS:debug-exception", OsLockRazWiReason),
            ("OSLOCK-BLOCKS:status", OslsrConstantReason),
            ("TRANSPARENT:diverted", DivertedReason),
            ("GUEST-STEP:missed", GuestStepPcOnlyReason),
           
            ("STEP-ONE:past-vector", StepOnePastVectorReason),
            ("STEP-ONE:extra", "No hook after userspace MMIO completion: the guest is re-entered with SS=1 and the next instruction runs too; host IRQ exits likewise."),
                        ("EXIT-SYNDROME:ec", "debug.arch.hsr is the trap's own ESR (EC 0x18, 0x24, 0x16, ...): userspace cannot tell it is a step (the merged v2 faked SOFTSTP_LOW \"so QEMU knows it was a single-step event\")."),
            ("NO-LEAK:userspace", InheritedUserspaceReason),
            ("NO-LEAK:frame", FrameReason),
            ("NO-LEAK:sysreg", "Inherited: one entry with TDA clear after a trapped debug-register write."),
            ("PC-ONCE:early", PcOnceEarlyReason)),
    };

    /// <summary>v5.18-v6.0: Oliver Upton's OS Lock emulation on the v5.13 step design.</summary>
    public static readonly Variant V5_18 = V5_13 with
    {
        Id = "arm64/v5.18",
        Summary = "v5.18-v6.0: the OS Lock is emulated (OSLAR_EL1 sets OSLSR_EL1.OSLK, reset 0x8 = unlocked, listed in KVM_GET_REG_LIST); while it is set kvm_arm_setup_debug() withholds MDE and SS from the hardware; the step design is still v5.13's.",
        Sources =
        [
            Sources.Commit("7dabf02f43a1", "KVM: arm64: Emulate the OS Lock"),
            Sources.Commit("f24adc65c556", "KVM: arm64: Allow guest to set the OSLK bit"),
            Sources.Commit("d42e26716d03", "KVM: arm64: Stash OSLSR_EL1 in the cpu context"),
            Sources.Commit("05c9324de169", "selftests: KVM: Test OS lock behavior"),
            Sources.Code("arch/arm64/kvm/sys_regs.c (v5.18)", "trap_oslar_el1, trap_oslsr_el1, set_oslsr_el1, reset OSLSR_EL1_OSLM_IMPLEMENTED"),
        ],
        trap_oslar_el1 = OsLockEmulation.ClearMdeSs,
        MigrationSource = "arm64/v5.13",
        ExpectedViolations = [.. V5_13.ExpectedViolations.Where(k => !k.StartsWith(OsLockBlocks.Id, StringComparison.Ordinal))],
        Reasons = V5_13.Reasons.RemoveRange(V5_13.Reasons.Keys.Where(k => k.StartsWith(OsLockBlocks.Id, StringComparison.Ordinal))),
    };

    /// <summary>The 2021 v2 posting: TDE while locked, BRK skipped.</summary>
    public static readonly Variant ProposalOslockTdeSkipBrk = V5_13 with
    {
        Id = "arm64/proposal-oslock-tde-skip-brk",
        Kind = "proposal",
        Summary = "2021 v2 (Oliver Upton, \"KVM: arm64: Emulate the OS Lock\" 4/6): MDE and SS withheld while locked, MDCR_EL2.TDE set while locked \"to handle breakpoint instructions\", and the trapped BRK skipped by KVM.",
        Sources =
        [
            Sources.Thread("2021-11", "Re: [PATCH v2 4/6] KVM: arm64: Emulate the OS Lock (\"trap debug exceptions to EL2 and skip the instruction\")"),
            Sources.Code("dossier B", "Marc Zyngier rejected the skip: \"the guest does rely on BRK always being effective\""),
        ],
        trap_oslar_el1 = OsLockEmulation.TdeSkipBrk,
        MigrationSource = "arm64/v5.13",
        ExpectedViolations = [.. V5_18.ExpectedViolations, "OSLOCK-BLOCKS:brk"],
        Reasons = V5_18.Reasons.Add("OSLOCK-BLOCKS:brk",
            "With the lock set KVM sets TDE and skips the trapped BRK (kvm_incr_pc): the guest's BRK handler never runs, although the OS Lock must not block BRK " +
            "(Arm ARM; Marc Zyngier: \"the guest does rely on BRK always being effective\"; LX-A64-DE-07 asserts it)."),
    };

    /// <summary>The reset value debated in the same series: the architectural OSLK = 1.</summary>
    public static readonly Variant ProposalOslkReset1 = V5_18 with
    {
        Id = "arm64/proposal-oslk-reset-1",
        Kind = "proposal",
        Summary = "The OS Lock emulation of v5.18 with the architectural cold-reset value OSLSR_EL1 = 0xA (OSLK = 1), as the v2 posting had it; a guest migrated from a KVM whose register list lacks OSLSR_EL1 arrives locked.",
        Sources =
        [
            Sources.Thread("2021-11", "Re: [PATCH v2 4/6] KVM: arm64: Emulate the OS Lock (Oliver Upton: \"older KVM will not show OSLSR_EL1 on KVM_GET_REG_LIST ... blocking all debug exceptions intended for the guest until the next reboot\")"),
            Sources.ArmArm("OSLSR_EL1: OSLK resets to 1 on a cold reset"),
        ],
        OslkResetsLocked = true,
        ExpectedViolations = [.. V5_18.ExpectedViolations, "MIGRATE-PRESERVES:register", "MIGRATE-PRESERVES:guest-view"],
        Reasons = V5_18.Reasons
            .Add("MIGRATE-PRESERVES:register", OslkReset1Reason)
            .Add("MIGRATE-PRESERVES:guest-view", OslkReset1Reason),
    };

    /// <summary>The design the v2 commit message rules out: the guest's lock in the hardware.</summary>
    public static readonly Variant ProposalOslockHardware = Upstream with
    {
        Id = "arm64/proposal-oslock-hardware",
        Kind = "proposal",
        Summary = "Upstream's debug design, but the guest's OSLK is loaded into the hardware OS Lock while the guest runs (\"simple context switching\"), so the lock also blocks the host's own debug exceptions.",
        Sources =
        [
            Sources.Thread("2021-11", "[PATCH v2 4/6] KVM: arm64: Emulate the OS Lock: \"Simple context switching between the guest and host is not appropriate, as its effects are not constrained to the guest context\""),
            Sources.ArmArm("AArch64.GenerateDebugExceptionsFrom: the OS Lock disables debug exceptions at every Exception level"),
        ],
        trap_oslar_el1 = OsLockEmulation.HardwareLock,
        ExpectedViolations = [.. Upstream.ExpectedViolations, "STEP-ONE:extra", "OSLOCK-HOST-WINS:step", "OSLOCK-HOST-WINS:breakpoint"],
        Reasons = Upstream.Reasons
            .Add("STEP-ONE:extra", HardwareLockReason)
            .Add("OSLOCK-HOST-WINS:step", HardwareLockReason)
            .Add("OSLOCK-HOST-WINS:breakpoint", "The hardware OS Lock suppresses breakpoint exceptions at every Exception level, the host's KVM_GUESTDBG_USE_HW breakpoint included: the instruction at it runs."),
    };

    public static readonly ImmutableArray<Variant> All =
    [
        V4_2, V4_15, V5_0, V5_5, V5_11, V5_13, V5_18, V6_1, V6_12, Upstream,
        ProposalInstSkipFlag, ProposalSyntheticExit, ProposalOslockTdeSkipBrk, ProposalOslkReset1, ProposalOslockHardware,
    ];

    public static Variant? Find(string id) => All.FirstOrDefault(v => v.Id == id);
}
