namespace Kvmspec.Model.X86;

/// <summary>__kvm_set_rflags(): where KVM puts the host's TF into the guest's RFLAGS.</summary>
public enum TfInjection
{
    /// <summary>705c5323 (before 94fe45da, ~2009): TF whenever single-stepping is on, at any RIP, and
    /// again on every flag reload at guest entry; kvm_get_rflags() does not filter it.</summary>
    Always,
    /// <summary>94fe45da and later: TF only while RIP equals singlestep_rip; kvm_get_rflags() hides it.</summary>
    AtSinglestepRip,
    /// <summary>The MTF proposal: KVM never sets TF; the VMX monitor trap flag steps instead.</summary>
    Never,
}

/// <summary>kvm_skip_emulated_instruction(): whether skipping an instruction KVM emulated (CPUID,
/// WRMSR, HLT, MOV DR, fast port I/O) raises the step.</summary>
public enum SkipStep
{
    /// <summary>Before 2017 (6affcbedcac7): the skip only advances RIP.</summary>
    RipOnly,
    /// <summary>6affcbedcac7+: reads the raw RFLAGS (host TF included) and, if TF, kvm_vcpu_do_singlestep().</summary>
    RawTf,
    /// <summary>The MTF proposal: KVM sets no TF, so the skip steps on KVM_GUESTDBG_SINGLESTEP (as
    /// vmx_update_emulated_instruction() does for a nested guest's MTF) or on the guest's own TF.</summary>
    RawTfOrSingleStep,
}

/// <summary>x86_emulate_instruction() writeback: when KVM's instruction emulator raises the step.</summary>
public enum EmulatorStep
{
    /// <summary>Before 663f4c61b803: emulated instructions ignore TF.</summary>
    Never,
    /// <summary>5cc244a20b86 (early 2019) until 384dea1c9183 (v5.8): only ctxt->tf, the guest's TF as
    /// kvm_get_rflags() shows it (host TF hidden), so host steps are skipped.</summary>
    GuestTfOnly,
    /// <summary>384dea1c9183 (v5.8, stable 5.6)+: ctxt->tf or KVM_GUESTDBG_SINGLESTEP, when the
    /// instruction completed in the kernel (r != 0); after a userspace exit, on completion.</summary>
    GuestTfOrSingleStep,
}

/// <summary>kvm_check_and_inject_events(): what holds back interrupt injection while the host debugs.</summary>
public enum IrqHoldBack
{
    /// <summary>Before v5.15: nothing; KVM_SET_GUEST_DEBUG does not check the control word, so a
    /// BLOCKIRQ bit is accepted and ignored. [I: the valid-mask check came with KVM_CAP_SET_GUEST_DEBUG2]</summary>
    None,
    /// <summary>v5.15 61e5f69ef083: KVM_GUESTDBG_BLOCKIRQ stops IRQ/NMI/SMI injection (exceptions still go).</summary>
    BlockIrqFlag,
    /// <summary>The 2021 RFC: no interrupt injection at all while KVM_GUESTDBG_SINGLESTEP is set.</summary>
    WhileSingleStepping,
}

/// <summary>The explored VMM's use of KVM_GUESTDBG_BLOCKIRQ (a VMM choice, not a KVM decision point).</summary>
public enum BlockIrqUse
{
    /// <summary>Never set (QEMU's gdbstub before it adopted the flag).</summary>
    Never,
    /// <summary>Set with every KVM_SET_GUEST_DEBUG that enables debugging.</summary>
    Always,
    /// <summary>Set in some calls: probes what a release does with a bit it may not know.</summary>
    Sometimes,
}
