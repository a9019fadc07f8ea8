using System.Collections.Immutable;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.X86;

/// <summary>The x86 variant catalogue (DESIGN.md): releases and proposals, each with its sources and
/// the violations it must show, with the reason for each.</summary>
public static class X86Variants
{
    private static Source Commit(string hash, string title) => new(SourceKind.Commit, hash, title);
    private static Source Thread(string file, string what) => new(SourceKind.Thread, file, what);
    private static Source Kernel(string where, string what) => new(SourceKind.KernelSource, where, what);

    // Reasons shared by several variants (each with its evidence and confidence).
    private const string Fmask = "A natively executed SYSCALL clears TF through IA32_FMASK (Linux masks TF) before the step decision (SDM SYSCALL; XSA-204; c8401dda2f0a), so a TF-based host step runs on through the syscall handler until SYSRETQ restores TF from R11. No TF-based design avoids it; MTF steps it. [I from the SDM rule]";
    private const string PastVector = "An exception KVM injects while stepping (KVM_GUESTDBG_INJECT_DB) is delivered with TF in RFLAGS: the handler runs untraced and its IRETQ restores TF, so the step ends after the instruction the handler returns to. BLOCKIRQ does not hold back exceptions (61e5f69ef083).";
    private const string Frame = "Interrupt and exception delivery pushes RFLAGS with the host's TF on the guest's stack (61e5f69ef083: a step that \"lands us into an interrupt/exception handler\" leaks TF \"in the form of being pushed to the stack\"; kvm-semantics.md E.7).";
    private const string FrameBlockIrq = "BLOCKIRQ holds back interrupts only: an exception (INT3's #BP, an injected #DB) is still delivered with the host's TF pushed (61e5f69ef083: \"exceptions can still happen\").";
    private const string Pushf = "A natively executed PUSHF stores RFLAGS with the host's TF; KVM cannot intercept or filter it (SDM PUSHF; kvm-semantics.md E.7).";
    private const string SyscallR11 = "A natively executed SYSCALL copies RFLAGS, with the host's TF, into R11 (SDM SYSCALL; kvm-semantics.md E.7).";
    private const string Livelock = "Without BLOCKIRQ an interrupt pending before every entry is injected at every step, so each step lands in the handler and the instruction never retires (61e5f69ef083: \"stuck on the same breakpoint RIP forever\").";
    private const string Diverted = "vmx.c handle_exception_nmi() sends every #DB to userspace while SINGLESTEP or USE_HW_BP is set, an ICEBP or the guest's own step trap included; the VMM must give it back to the guest (QEMU's kvm_arch_debug re-injects what it did not cause).";
    private const string GuestTfLost = "One TF bit serves both: kvm_get_rflags() hides TF while SINGLESTEP is set and KVM_SET_GUEST_DEBUG re-applies RFLAGS read through it, so a TF the guest set while the host stepped is gone when the host stops stepping. [V code; I consequence]";
    private const string EmulatedMovSs = "x86_emulate_instruction()'s writeback calls kvm_vcpu_do_singlestep() whatever the MOV SS shadow it just set, so an emulated MOV SS (forced emulation here) is stepped alone. [V writeback order, dossier E.3; I consequence]";
    private const string OldIrqBlock = "KVM_GUESTDBG_BLOCKIRQ came in v5.15 and the control word was not checked before KVM_CAP_SET_GUEST_DEBUG2's valid mask: the bit is accepted and ignored, interrupts are injected. [I: the valid-mask check's version]";
    private const string OldEmulatedSkip = "Instructions KVM completes (CPUID, HLT, port I/O, MMIO, emulated ones) ignore TF: the skip only advances RIP (before 663f4c61b803 and 6affcbedcac7), so the host step runs on.";
    private const string OldGuestTf = "The guest's own TF is ignored across instructions KVM completes (no #DB after CPUID): before 663f4c61b803.";

    private static ImmutableDictionary<string, string> Why(params (string Key, string Reason)[] r) => r.ToImmutableDictionary(x => x.Key, x => x.Reason);

    public static readonly X86Variant Upstream = new()
    {
        Id = "x86/upstream",
        Kind = "release",
        Summary = "v5.15+: TF only at singlestep_rip and hidden by kvm_get_rflags; skip and emulator both step; BLOCKIRQ available; the VMM here does not set it.",
        Sources =
        [
            Commit("94fe45da", "KVM: x86: Fix guest single-stepping while interruptible"),
            Commit("384dea1c9183", "KVM: x86: respect singlestep when emulating instruction"),
            Commit("61e5f69ef083", "KVM: x86: implement KVM_GUESTDBG_BLOCKIRQ"),
            Kernel("arch/x86/kvm/x86.c", "kvm_arch_vcpu_ioctl_set_guest_debug, kvm_get_rflags, __kvm_set_rflags, kvm_skip_emulated_instruction, kvm_vcpu_do_singlestep, x86_emulate_instruction, kvm_check_and_inject_events"),
        ],
        kvm_set_rflags = TfInjection.AtSinglestepRip,
        kvm_skip_emulated_instruction = SkipStep.RawTf,
        x86_emulate_instruction = EmulatorStep.GuestTfOrSingleStep,
        kvm_check_and_inject_events = IrqHoldBack.BlockIrqFlag,
        ChecksControl = true,
        ImmediateExit = true,
        Vmm = BlockIrqUse.Never,
        ExpectedViolations = ["GUEST-STEP:missed", "NO-LEAK:frame", "NO-LEAK:pushf", "NO-LEAK:syscall", "PROGRESS:livelock", "SHADOW:movss-step", "STEP-ONE:fmask", "STEP-ONE:past-vector", "TRANSPARENT:diverted"],
        Reasons = Why(("GUEST-STEP:missed", GuestTfLost), ("NO-LEAK:frame", Frame), ("NO-LEAK:pushf", Pushf), ("NO-LEAK:syscall", SyscallR11),
            ("PROGRESS:livelock", Livelock + " The VMM's choice: with BLOCKIRQ it holds."), ("SHADOW:movss-step", EmulatedMovSs), ("STEP-ONE:fmask", Fmask),
            ("STEP-ONE:past-vector", PastVector), ("TRANSPARENT:diverted", Diverted)),
    };

    public static readonly X86Variant UpstreamBlockIrq = Upstream with
    {
        Summary = "x86/upstream with a VMM that sets KVM_GUESTDBG_BLOCKIRQ whenever it debugs (the selftest's and today's QEMU's choice).",
        Vmm = BlockIrqUse.Always,
        ExpectedViolations = ["GUEST-STEP:missed", "NO-LEAK:frame", "NO-LEAK:pushf", "NO-LEAK:syscall", "SHADOW:movss-step", "STEP-ONE:fmask", "STEP-ONE:past-vector", "TRANSPARENT:diverted"],
        Reasons = Why(("GUEST-STEP:missed", GuestTfLost), ("NO-LEAK:frame", FrameBlockIrq), ("NO-LEAK:pushf", Pushf), ("NO-LEAK:syscall", SyscallR11),
            ("SHADOW:movss-step", EmulatedMovSs), ("STEP-ONE:fmask", Fmask), ("STEP-ONE:past-vector", PastVector), ("TRANSPARENT:diverted", Diverted)),
    };

    public static readonly X86Variant V5_0 = Upstream with
    {
        Id = "x86/v5.0",
        Summary = "Early 2019 (5cc244a20b86) to v5.8: the emulator steps on the guest's TF only, so a host step runs on past an instruction KVM's emulator completes; no BLOCKIRQ.",
        Sources =
        [
            Commit("5cc244a20b86", "KVM: x86: Fix single-step debugging"),
            Commit("384dea1c9183", "KVM: x86: respect singlestep when emulating instruction (the fix)"),
            Kernel("arch/x86/kvm/x86.c", "x86_emulate_instruction writeback: if (r && ctxt->tf) kvm_vcpu_do_singlestep()"),
        ],
        x86_emulate_instruction = EmulatorStep.GuestTfOnly,
        kvm_check_and_inject_events = IrqHoldBack.None,
        ChecksControl = false,
        StepExitPcIsSinglestepRip = true,
        Vmm = BlockIrqUse.Sometimes,
        ExpectedViolations = ["EXIT-SYNDROME:pc", "GUEST-STEP:missed", "IRQ-BLOCKED:injected", "NO-LEAK:frame", "NO-LEAK:pushf", "NO-LEAK:syscall", "PROGRESS:livelock", "SHADOW:movss-step", "STEP-ONE:extra", "STEP-ONE:fmask", "STEP-ONE:past-vector", "TRANSPARENT:diverted"],
        Reasons = Why(("EXIT-SYNDROME:pc", "kvm_vcpu_do_singlestep() reported pc = singlestep_rip, where the step began, not where the guest stopped (Peter Xu's 2020 fix; kvm-semantics.md E.3)."), ("GUEST-STEP:missed", GuestTfLost), ("IRQ-BLOCKED:injected", OldIrqBlock), ("NO-LEAK:frame", Frame), ("NO-LEAK:pushf", Pushf), ("NO-LEAK:syscall", SyscallR11),
            ("PROGRESS:livelock", Livelock), ("SHADOW:movss-step", EmulatedMovSs + " Here through the guest's own TF (ctxt->tf)."), ("STEP-ONE:extra", "The emulator steps on ctxt->tf only, the guest's TF as kvm_get_rflags() shows it (host TF hidden): after an MMIO or emulated instruction the writeback drops TF (RIP != singlestep_rip) and the step runs on (384dea1c9183: \"leaving singlestep_rip stale and not returning to userspace\")."),
            ("STEP-ONE:fmask", Fmask), ("STEP-ONE:past-vector", PastVector), ("TRANSPARENT:diverted", Diverted)),
    };

    public static readonly X86Variant Pre663f4c61 = V5_0 with
    {
        Id = "x86/pre-663f4c61",
        Summary = "~2014, before 663f4c61b803: instructions KVM emulates ignore TF (no step after CPUID, HLT, port I/O, emulated instructions).",
        Sources =
        [
            Commit("663f4c61b803", "KVM: x86: handle singlestep during emulation (the fix)"),
            Commit("6affcbedcac7", "KVM: x86: Add kvm_skip_emulated_instruction and use it (2017)"),
            Kernel("arch/x86/kvm/vmx.c (~2014)", "skip_emulated_instruction advances RIP only"),
        ],
        kvm_skip_emulated_instruction = SkipStep.RipOnly,
        x86_emulate_instruction = EmulatorStep.Never,
        ImmediateExit = false,
        ExpectedViolations = ["GUEST-STEP:missed", "IRQ-BLOCKED:injected", "NO-LEAK:frame", "NO-LEAK:pushf", "NO-LEAK:syscall", "PROGRESS:livelock", "STEP-ONE:extra", "STEP-ONE:fmask", "STEP-ONE:past-vector", "TRANSPARENT:diverted"],
        Reasons = Why(("GUEST-STEP:missed", OldGuestTf), ("IRQ-BLOCKED:injected", OldIrqBlock), ("NO-LEAK:frame", Frame), ("NO-LEAK:pushf", Pushf), ("NO-LEAK:syscall", SyscallR11),
            ("PROGRESS:livelock", Livelock), ("STEP-ONE:extra", OldEmulatedSkip), ("STEP-ONE:fmask", Fmask), ("STEP-ONE:past-vector", PastVector), ("TRANSPARENT:diverted", Diverted)),
    };

    public static readonly X86Variant Pre94fe45da = Pre663f4c61 with
    {
        Id = "x86/pre-94fe45da",
        Summary = "~2009, 705c5323: TF injected whenever single-stepping is on, whatever the RIP, and reloaded at every entry; kvm_get_rflags does not hide it; the emulator sets no interrupt shadow.",
        Sources =
        [
            Commit("94fe45da", "KVM: x86: Fix guest single-stepping while interruptible (the fix): 705c5323 \"opened the doors of hell by unconditionally injecting single-step flags\""),
            Commit("91586a3b7d79", "KVM: x86: Rework guest single-step flag injection and filtering"),
            Kernel("arch/x86/kvm/vmx.c (~2009)", "vmx_vcpu_run reloads RFLAGS with TF while guest_debug asks for single-step"),
        ],
        kvm_set_rflags = TfInjection.Always,
        EmulatorShadow = false,
        ExpectedViolations = ["GUEST-STEP:missed", "IRQ-BLOCKED:injected", "NO-LEAK:frame", "NO-LEAK:pushf", "NO-LEAK:syscall", "NO-LEAK:userspace", "PROGRESS:livelock", "SHADOW:irq", "STEP-ONE:extra", "STEP-ONE:fmask", "STEP-ONE:past-vector", "TRANSPARENT:diverted"],
        Reasons = Why(("GUEST-STEP:missed", OldGuestTf), ("IRQ-BLOCKED:injected", OldIrqBlock), ("NO-LEAK:frame", Frame + " Here TF is also reloaded at every entry, handlers included (94fe45da)."),
            ("NO-LEAK:pushf", Pushf), ("NO-LEAK:syscall", SyscallR11), ("NO-LEAK:userspace", "kvm_get_rflags() does not filter TF (the filtering came with 94fe45da and 91586a3b7d79): KVM_GET_REGS shows the host's TF."),
            ("PROGRESS:livelock", Livelock), ("SHADOW:irq", "The emulator sets no interrupt shadow after an emulated STI (before KVM's 2009 interrupt-shadow support): an interrupt is injected right after it. [R: date not pinned]"),
            ("STEP-ONE:extra", OldEmulatedSkip), ("STEP-ONE:fmask", Fmask), ("STEP-ONE:past-vector", PastVector), ("TRANSPARENT:diverted", Diverted)),
    };

    public static readonly X86Variant ProposalNoInjectWhileStepping = Upstream with
    {
        Id = "x86/proposal-no-inject-while-stepping",
        Kind = "proposal",
        Summary = "The 2021 RFC (Maxim Levitsky): no interrupt injection while KVM_GUESTDBG_SINGLESTEP is set, without a flag; based on v5.12 (no BLOCKIRQ, no valid-mask check).",
        Sources =
        [
            Thread("2021-03-x86-dont-inject-interrupts-while-single-stepping.txt", "the RFC and Sean Christopherson's and Jan Kiszka's replies"),
        ],
        kvm_check_and_inject_events = IrqHoldBack.WhileSingleStepping,
        ChecksControl = false,
        Vmm = BlockIrqUse.Sometimes,
        ExpectedViolations = ["GUEST-STEP:missed", "IRQ-BLOCKED:injected", "NO-LEAK:frame", "NO-LEAK:pushf", "NO-LEAK:syscall", "SHADOW:movss-step", "STEP-ONE:fmask", "STEP-ONE:past-vector", "TRANSPARENT:diverted"],
        Reasons = Why(("GUEST-STEP:missed", GuestTfLost), ("IRQ-BLOCKED:injected", "The RFC holds interrupts back only while SINGLESTEP is set and has no BLOCKIRQ: a KVM_SET_GUEST_DEBUG with ENABLE|BLOCKIRQ alone is accepted (v5.12 checks no mask) and interrupts are injected."),
            ("NO-LEAK:frame", FrameBlockIrq), ("NO-LEAK:pushf", Pushf), ("NO-LEAK:syscall", SyscallR11), ("SHADOW:movss-step", EmulatedMovSs), ("STEP-ONE:fmask", Fmask),
            ("STEP-ONE:past-vector", PastVector), ("TRANSPARENT:diverted", Diverted)),
    };

    public static readonly X86Variant ProposalMtf = Upstream with
    {
        Id = "x86/proposal-mtf",
        Kind = "proposal",
        Summary = "Step with the VMX monitor trap flag instead of TF (Jan Kiszka and Maxim Levitsky, 2021 thread): nothing is added to the guest's RFLAGS.",
        Sources =
        [
            Thread("2021-03-x86-dont-inject-interrupts-while-single-stepping.txt", "\"KVM on VMX should probably switch to using monitor trap for single stepping\""),
            new(SourceKind.IntelSdm, "Vol. 3C", "Monitor Trap Flag: an MTF VM exit is pending after each instruction and before the first instruction after a VM entry that injects an event"),
        ],
        kvm_set_rflags = TfInjection.Never,
        kvm_skip_emulated_instruction = SkipStep.RawTfOrSingleStep,
        Vmm = BlockIrqUse.Never,
        ExpectedViolations = ["PROGRESS:livelock", "SHADOW:movss-step", "TRANSPARENT:diverted"],
        Reasons = Why(("PROGRESS:livelock", "What MTF does not fix: an MTF VM exit is pending before the first instruction after a VM entry that injects an event (SDM Monitor Trap Flag), so with an interrupt before every entry each step still lands in the handler; BLOCKIRQ is still needed."),
            ("SHADOW:movss-step", "An MTF VM exit is not held back by MOV SS blocking (the SDM's MTF rules list no such blocking), so the step stops inside the MOV SS shadow instead of after the next instruction. [I]"),
            ("TRANSPARENT:diverted", "USE_HW_BP still sends every #DB to userspace (an ICEBP included); MTF changes only how KVM steps.")),
    };

    public static readonly IReadOnlyList<X86Variant> All =
        [Pre94fe45da, Pre663f4c61, V5_0, Upstream, UpstreamBlockIrq, ProposalNoInjectWhileStepping, ProposalMtf];

    /// <summary>The variants with this id (x86/upstream has two VMM configurations).</summary>
    public static IReadOnlyList<X86Variant> WithId(string id) => [.. All.Where(v => v.Id == id)];
}
