namespace Kvmspec.Spec.Invariants;

/// <summary>The catalogue of invariants over x86 traces: the shared ids (DESIGN.md) with x86
/// monitors, and REENTRY-COMPLETES, whose monitor both architectures share.</summary>
public static class X86Invariants
{
    private const string NoStepLog = "is not defined for x86 traces yet (full profile only)";

    public static readonly Invariant StepOneInvariant = new(
        StepOne.Id,
        "A host single-step retires exactly one guest instruction (MOV SS and the next one together), or none only when it ends at an exception handler.",
        [Sources.Sdm("Single-Step Exception Condition"),
         Sources.Commit("663f4c61b803", "KVM: x86: handle singlestep during emulation"),
         Sources.Commit("384dea1c9183", "KVM: x86: respect singlestep when emulating instruction"),
         Sources.Commit("c8401dda2f0a", "KVM: x86: fix singlestepping over syscall"),
         Sources.Selftest("tools/testing/selftests/kvm/x86/debug_regs.c", "one instruction per KVM_RUN, CPUID and WRMSR(TSC_DEADLINE) included")],
        ["extra", "fmask", "past-vector", "none"],
        X86StepOne.Start,
        NoStepLog);

    public static readonly Invariant ExitSyndromeInvariant = new(
        ExitSyndrome.Id,
        "A #DB exit reports DR6 with its active-low bits and the pc where the guest stopped.",
        [Sources.Sdm("Debug Status Register (DR6)"),
         Sources.Code("arch/x86/kvm/x86.c", "kvm_vcpu_do_singlestep(): dr6 = DR6_BS | DR6_ACTIVE_LOW, pc = linear RIP (Peter Xu, 2020: was singlestep_rip)"),
         Sources.Selftest("tools/testing/selftests/kvm/x86/debug_regs.c", "dr6 == 0xffff0ff0 | cause")],
        ["dr6", "pc"],
        X86ExitSyndrome.Start,
        NoStepLog);

    public static readonly Invariant NoLeakInvariant = new(
        NoLeak.Id,
        "The host's TF never appears in guest-visible or VMM-visible state: a pushed frame, a PUSHF image, R11 after SYSCALL, KVM_GET_REGS.",
        [Sources.Commit("94fe45da", "KVM: x86: Fix guest single-stepping while interruptible"),
         Sources.Commit("61e5f69ef083", "KVM: x86: implement KVM_GUESTDBG_BLOCKIRQ (\"RFLAGS.TF has less chance to be leaked\")"),
         Sources.Thread("2021-03", "KVM: x86: guest debug: don't inject interrupts while single stepping (\"We must not leak, that is priority one\")"),
         Sources.Code("arch/x86/kernel/traps.c", "exc_debug_kernel(): WARN_ON_ONCE(dr6 & DR_STEP), QEMU's gdbstub named as the trigger"),
         Sources.Sdm("PUSHF; SYSCALL; Interrupt and exception handling")],
        ["frame", "pushf", "syscall", "userspace"],
        X86NoLeak.Start,
        NoStepLog);

    public static readonly Invariant PcOnceInvariant = new(
        PcOnce.Id,
        "RIP moves only by what the trace shows: an instruction KVM completes advances it exactly once, after its effects; an access that exits to userspace has not advanced it yet.",
        [Sources.Api("KVM_RUN (completion of KVM_EXIT_IO and KVM_EXIT_MMIO on re-entry)"),
         Sources.Code("arch/x86/kvm/x86.c", "kvm_skip_emulated_instruction(), complete_fast_pio_*(), x86_emulate_instruction() writeback")],
        ["moved", "early"],
        X86PcOnce.Start,
        NoStepLog);

    public static readonly Invariant ReentryCompletesInvariant = Arm64Invariants.ReentryCompletesInvariant;

    public static readonly Invariant IrqBlockedInvariant = new(
        IrqBlocked.Id,
        "With KVM_GUESTDBG_BLOCKIRQ accepted, no interrupt is injected while guest debugging is enabled.",
        [Sources.Commit("61e5f69ef083", "KVM: x86: implement KVM_GUESTDBG_BLOCKIRQ"),
         Sources.Api("KVM_SET_GUEST_DEBUG (KVM_GUESTDBG_BLOCKIRQ)"),
         Sources.Selftest("tools/testing/selftests/kvm/x86/debug_regs.c", "the pending IRQ 0xAA is not injected while stepping with BLOCKIRQ")],
        ["injected"],
        IrqBlocked.Start,
        NoStepLog);

    public static readonly Invariant ProgressInvariant = new(
        Progress.Id,
        "Resuming from a breakpoint or a step retires the instruction there within a bounded number of runs, even with an interrupt pending before every entry.",
        [Sources.Commit("61e5f69ef083", "KVM: x86: implement KVM_GUESTDBG_BLOCKIRQ (\"stuck on the same breakpoint RIP forever\")"),
         Sources.Thread("2021-03", "KVM: x86: guest debug: don't inject interrupts while single stepping")],
        ["livelock"],
        Progress.Start,
        NoStepLog);

    public static readonly Invariant ShadowInvariantEntry = new(
        ShadowInvariant.Id,
        "No interrupt is injected inside an STI or MOV SS shadow; the single-step trap after MOV SS is deferred one instruction.",
        [Sources.Sdm("Masking Exceptions and Interrupts When Switching Stacks"),
         Sources.Sdm("STI"),
         Sources.Code("arch/x86/kvm/x86.c", "toggle_interruptibility() after emulation; x86_emulate_instruction() writeback steps without looking at the MOV SS shadow")],
        ["irq", "movss-step"],
        ShadowInvariant.Start,
        NoStepLog);

    public static readonly Invariant GuestStepInvariant = new(
        GuestStep.Id,
        "A guest stepping itself with TF gets the SDM's behaviour, also across instructions KVM emulates.",
        [Sources.Sdm("Single-Step Exception Condition"),
         Sources.Commit("663f4c61b803", "KVM: x86: handle singlestep during emulation"),
         Sources.Code("arch/x86/kvm/x86.c", "kvm_get_rflags() hides TF while the host single-steps; kvm_arch_vcpu_ioctl_set_guest_debug() re-applies RFLAGS read through it")],
        ["missed"],
        X86GuestStep.Start,
        NoStepLog);

    public static readonly Invariant TransparentInvariant = new(
        Transparent.Id,
        "Host debugging does not take the guest's own debug events (its TF, ICEBP, INT3) away from it.",
        [Sources.Code("arch/x86/kvm/vmx/vmx.c", "handle_exception_nmi(): every #DB goes to userspace while SINGLESTEP or USE_HW_BP is set"),
         Sources.Qemu("target/i386/kvm/kvm.c", "kvm_arch_debug(): a #DB QEMU did not cause is re-injected into the guest"),
         Sources.Thread("2018-11", "KVM: arm64: don't single-step for non-emulated faults (\"a debugger shouldn't silently corrupt guest state\")")],
        ["diverted"],
        X86Transparent.Start,
        NoStepLog);

    public static readonly IReadOnlyList<Invariant> All =
    [
        StepOneInvariant, ExitSyndromeInvariant, NoLeakInvariant, PcOnceInvariant, ReentryCompletesInvariant,
        IrqBlockedInvariant, ProgressInvariant, ShadowInvariantEntry, GuestStepInvariant, TransparentInvariant,
    ];

    public static Invariant? Find(string id) => All.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.OrdinalIgnoreCase));
}
