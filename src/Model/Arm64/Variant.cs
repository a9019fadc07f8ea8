using System.Collections.Immutable;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Arm64;

/// <summary>A KVM arm64 behaviour: a release or a posted proposal, as the choices it makes at each
/// named decision point, with its sources and the violations it must show.</summary>
/// <remarks>STYLE.md §5. <see cref="ExpectedViolations"/> holds keys "INVARIANT:path"; a test
/// asserts that what exploration finds equals them, both ways. <see cref="Reasons"/> gives, for
/// each declared key, why (for upstream: the known deviation and its evidence).</remarks>
public sealed record Variant : Exploration.IVariant
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Summary { get; init; }
    public ImmutableArray<Source> Sources { get; init; } = [];
    public ImmutableArray<string> ExpectedViolations { get; init; } = [];
    public ImmutableDictionary<string, string> Reasons { get; init; } = ImmutableDictionary<string, string>.Empty;

    public SetupDebug kvm_arm_setup_debug { get; init; }
    public SkipInstr kvm_skip_instr { get; init; }
    public AdjustPc __kvm_adjust_pc { get; init; }
    public MmioDecode io_mem_abort { get; init; }
    public MmioReturn kvm_handle_mmio_return { get; init; }
    public TrapExceptions handle_trap_exceptions { get; init; }
    public DebugRegTraps kvm_arm_setup_mdcr_el2 { get; init; }
    public ExtDabt kvm_inject_dabt { get; init; }
    public OsLockEmulation trap_oslar_el1 { get; init; }
    /// <summary>OSLSR_EL1.OSLK after a vCPU reset: 0 upstream (KVM resets "as a warm reset"), 1 in the
    /// proposal that keeps the architectural cold-reset value.</summary>
    public bool OslkResetsLocked { get; init; }
    /// <summary>The release a guest is migrated from in cross-version save/restore: the last release
    /// whose KVM_GET_REG_LIST lacks OSLSR_EL1 (null: only same-version migration is explored).</summary>
    public string? MigrationSource { get; init; }

    /// <summary>Whether KVM_GET_REG_LIST enumerates <paramref name="r"/> (OSLSR_EL1 only from v5.18: the
    /// 2021 thread, "older KVM will not show OSLSR_EL1 on KVM_GET_REG_LIST").</summary>
    public bool Lists(Spec.Kvm.OneReg r) => r != Spec.Kvm.OneReg.OSLSR_EL1 || trap_oslar_el1 != OsLockEmulation.RazWi;

    /// <summary>The registers KVM_GET_REG_LIST returns, in their enumeration order.</summary>
    public ImmutableArray<Spec.Kvm.OneReg> RegList => [.. Enum.GetValues<Spec.Kvm.OneReg>().Where(Lists)];
    /// <summary>KVM_SET_VCPU_EVENTS exists on arm64 with serror_pending (v4.19+; api.rst "KVM_SET_VCPU_EVENTS").</summary>
    public bool VcpuEvents { get; init; } = true;
    /// <summary>KVM_CAP_ARM_NISV_TO_USER exists (v5.5+); without it a no-ISV access fails KVM_RUN with -ENOSYS.</summary>
    public bool NisvToUser { get; init; }
    /// <summary>kvm_run.immediate_exit is honoured (460df4c1fc7c, v4.11+).</summary>
    public bool ImmediateExit { get; init; }
    /// <summary>KVM_DEBUG_ARCH_HSR_HIGH_VALID is reported (~v5.19+).</summary>
    public bool HsrHigh { get; init; }

    public string Arch => "arm64";
    public string Label => Id;

    public override string ToString() => Id;
}
