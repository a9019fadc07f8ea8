using System.Collections.Immutable;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.X86;

/// <summary>A KVM x86 behaviour (a release or a proposal) as its choices at each decision point,
/// with its sources and the violations it must show, and how the explored VMM uses
/// KVM_GUESTDBG_BLOCKIRQ (<see cref="Vmm"/>): for x86/upstream that is the VMM's choice, explored both ways.</summary>
public sealed record X86Variant : IVariant
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Summary { get; init; }
    public ImmutableArray<Source> Sources { get; init; } = [];
    public ImmutableArray<string> ExpectedViolations { get; init; } = [];
    public ImmutableDictionary<string, string> Reasons { get; init; } = ImmutableDictionary<string, string>.Empty;
    public string Arch => "x86";

    /// <summary>How the VMM uses KVM_GUESTDBG_BLOCKIRQ in the explored scripts.</summary>
    public BlockIrqUse Vmm { get; init; } = BlockIrqUse.Sometimes;
    /// <summary>The name a report shows: the id, plus the VMM's configuration.</summary>
    public string Label => Vmm == BlockIrqUse.Always ? Id + " +BLOCKIRQ" : Id;

    /// <summary>The control word the explored VMM passes for <paramref name="control"/>: with BLOCKIRQ
    /// added when it enables debugging and its habit says so (<paramref name="sometimes"/> is asked
    /// only for <see cref="BlockIrqUse.Sometimes"/>).</summary>
    public Spec.Kvm.X86GuestDebug VmmControl(Spec.Kvm.X86GuestDebug control, Func<bool> sometimes)
    {
        bool blockIrq = control.HasFlag(Spec.Kvm.X86GuestDebug.KVM_GUESTDBG_ENABLE) && Vmm switch
        {
            BlockIrqUse.Always => true,
            BlockIrqUse.Sometimes => sometimes(),
            _ => false,
        };
        return blockIrq ? control | Spec.Kvm.X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ : control;
    }

    public TfInjection kvm_set_rflags { get; init; }
    public SkipStep kvm_skip_emulated_instruction { get; init; }
    public EmulatorStep x86_emulate_instruction { get; init; }
    public IrqHoldBack kvm_check_and_inject_events { get; init; }
    /// <summary>The emulator sets the STI / MOV SS shadow after emulating them (toggle_interruptibility;
    /// absent before the 2009 interrupt-shadow support).</summary>
    public bool EmulatorShadow { get; init; } = true;
    /// <summary>KVM_GUESTDBG_BLOCKIRQ exists (v5.15+); the control word is checked against the valid mask (v5.13+).</summary>
    public bool ChecksControl { get; init; }
    /// <summary>kvm_vcpu_do_singlestep() reports pc = singlestep_rip (before Peter Xu's 2020 fix) instead of the current RIP.</summary>
    public bool StepExitPcIsSinglestepRip { get; init; }
    /// <summary>kvm_run.immediate_exit is honoured (KVM_CAP_IMMEDIATE_EXIT, v4.11+).</summary>
    public bool ImmediateExit { get; init; }

    public override string ToString() => Label;
}
