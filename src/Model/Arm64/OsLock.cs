using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.Arm64.OsLockState, Kvmspec.Model.Arm64.OsLockTrigger, Kvmspec.Model.Arm64.Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.Arm64.OsLockState, Kvmspec.Model.Arm64.OsLockTrigger, Kvmspec.Model.Arm64.Ctx>;

namespace Kvmspec.Model.Arm64;

/// <summary>The guest's OS Lock as KVM keeps it: OSLSR_EL1.OSLK in the vcpu context.</summary>
public enum OsLockState { Unlocked, Locked }

/// <summary>OsLock's triggers: the guest's trapped accesses (MDCR_EL2.TDOSA is always set), userspace's
/// ONE_REG write, and the vCPU reset.</summary>
public enum OsLockTrigger
{
    /// <summary>A guest MSR OSLAR_EL1 (trap_oslar_el1).</summary>
    oslar_write,
    /// <summary>A guest MRS OSLSR_EL1 (trap_oslsr_el1).</summary>
    oslsr_read,
    /// <summary>KVM_SET_ONE_REG of OSLSR_EL1 (set_oslsr_el1).</summary>
    KVM_SET_ONE_REG,
    /// <summary>KVM_ARM_VCPU_INIT: kvm_reset_vcpu() → reset_val of OSLSR_EL1.</summary>
    vcpu_reset,
}

/// <summary>OsLock: the guest's OS Lock, emulated by KVM, in each design.</summary>
/// <remarks>
/// Sources: arch/arm64/kvm/sys_regs.c (before v5.18: OSLAR_EL1 trap_raz_wi, trap_oslsr_el1 returns
/// 0x8, no .reg so KVM_GET_REG_LIST skips it; v5.18+: trap_oslar_el1 copies bit 0 into OSLSR_EL1.OSLK,
/// trap_oslsr_el1 returns the stored value, set_oslsr_el1 rejects any change outside OSLK, reset 0x8;
/// v6.14: kvm_debug_handle_oslar() then reloads the vCPU, 06d22a9c1b94); OSDLR_EL1 stays trap_raz_wi
/// in every version. The lock's effect on debug is computed where the hardware is configured
/// (GuestDebug: kvm_arm_setup_debug / kvm_vcpu_load_debug). Read by version in the kernel source
/// (helper notes, OS Lock facts 2-5) and in the 2021 thread (reference/threads/2021-11-arm64-emulate-the-os-lock.txt).
/// </remarks>
public static class OsLock
{
    private static readonly ImmutableArray<OsLockState> Any = [];

    private static R Row(OsLockTrigger t, Guard<Ctx> g, OsLockState? to, string source, params Effect<Ctx>[] fx) =>
        new(Any, t, g, [.. fx], to, source);

    public static readonly M Machine = new()
    {
        Name = "OsLock",
        Summary = "The guest's OS Lock (OSLAR_EL1 / OSLSR_EL1.OSLK) as KVM emulates it: RAZ/WI before v5.18, stored and effective from v5.18.",
        InitialState = OsLockState.Unlocked,
        Get = c => c.S.OSLSR_EL1.OSLK ? OsLockState.Locked : OsLockState.Unlocked,
        Set = (c, s) => c.With(v => v with { OSLSR_EL1 = v.OSLSR_EL1 with { OSLK = s == OsLockState.Locked } }),
        Rows =
        [
            Row(OsLockTrigger.oslar_write, Guard<Ctx>.Of(NotEmulated), null, "sys_regs.c (before v5.18): OSLAR_EL1 trap_raz_wi, the write is ignored", Effect<Ctx>.Of(ignore_oslar)),
            Row(OsLockTrigger.oslar_write, Guard<Ctx>.Of(WritesLock), OsLockState.Locked, "sys_regs.c trap_oslar_el1 (f24adc65c556): OSLK := 1", Effect<Ctx>.Of(reload_if_load_put)),
            Row(OsLockTrigger.oslar_write, Guard<Ctx>.Always, OsLockState.Unlocked, "sys_regs.c trap_oslar_el1: OSLK := 0", Effect<Ctx>.Of(reload_if_load_put)),

            Row(OsLockTrigger.oslsr_read, Guard<Ctx>.Of(NotEmulated), null, "sys_regs.c (before v5.18) trap_oslsr_el1: the constant 1 << 3 (implemented, unlocked)", Effect<Ctx>.Of(read_constant)),
            Row(OsLockTrigger.oslsr_read, Guard<Ctx>.Always, null, "sys_regs.c trap_oslsr_el1 (d42e26716d03): the stored value", Effect<Ctx>.Of(read_stored)),

            Row(OsLockTrigger.KVM_SET_ONE_REG, Guard<Ctx>.Of(NotEmulated), null, "before v5.18 OSLSR_EL1 is not a ONE_REG register: -ENOENT", Effect<Ctx>.Of(reject_enoent)),
            Row(OsLockTrigger.KVM_SET_ONE_REG, Guard<Ctx>.Of(ChangesMoreThanOslk), null, "sys_regs.c set_oslsr_el1: only OSLK is writable (-EINVAL)", Effect<Ctx>.Of(reject_einval)),
            Row(OsLockTrigger.KVM_SET_ONE_REG, Guard<Ctx>.Of(SetsLock), OsLockState.Locked, "sys_regs.c set_oslsr_el1", Effect<Ctx>.Of(accept)),
            Row(OsLockTrigger.KVM_SET_ONE_REG, Guard<Ctx>.Always, OsLockState.Unlocked, "sys_regs.c set_oslsr_el1", Effect<Ctx>.Of(accept)),

            Row(OsLockTrigger.vcpu_reset, Guard<Ctx>.Of(ResetsLocked), OsLockState.Locked, "2021 v2 posting: the architectural cold-reset value 0xA (dropped in v3)"),
            Row(OsLockTrigger.vcpu_reset, Guard<Ctx>.Always, OsLockState.Unlocked, "sys_regs.c reset_val OSLSR_EL1 = OSLSR_EL1_OSLM_IMPLEMENTED (0x8): unlocked, as a warm reset (api.rst KVM_ARM_VCPU_INIT)"),
        ],
    };

    // ---- guards ----
    public static bool NotEmulated(Ctx c) => c.V.trap_oslar_el1 == OsLockEmulation.RazWi;
    public static bool WritesLock(Ctx c) => c.Input is GuestRegWrite { Value: var v } && (v & 1) != 0;
    public static bool SetsLock(Ctx c) => c.Input is SetOneReg { Value: var v } && OSLSR_EL1.Decode(v).OSLK;
    public static bool ChangesMoreThanOslk(Ctx c) => c.Input is SetOneReg { Value: var v }
        && OSLSR_EL1.Decode(v) with { OSLK = false } != c.S.OSLSR_EL1 with { OSLK = false };
    public static bool ResetsLocked(Ctx c) => c.V.OslkResetsLocked;

    // ---- effects ----
    public static Ctx ignore_oslar(Ctx c) => c.Kvm("trap_raz_wi: the OSLAR_EL1 write is ignored, the guest cannot lock");

    /// <summary>v6.14 kvm_debug_handle_oslar(): a vCPU put + load, so ownership and the hardware
    /// configuration follow the new lock at once; earlier designs recompute before the next entry.</summary>
    public static Ctx reload_if_load_put(Ctx c)
    {
        c = c.Kvm($"trap_oslar_el1: OSLSR_EL1.OSLK := {(WritesLock(c) ? 1 : 0)}");
        if (c.V.kvm_arm_setup_debug != SetupDebug.LoadPut) return c;
        c = GuestDebug.Machine.Fire(c, GuestDebugTrigger.vcpu_put, (x, w) => x.Unhandled(w));
        var locked = WritesLock(c);
        c = c.With(v => v with { OSLSR_EL1 = v.OSLSR_EL1 with { OSLK = locked } });
        return GuestDebug.Machine.Fire(c, GuestDebugTrigger.vcpu_load, (x, w) => x.Unhandled(w)).Kvm("kvm_debug_handle_oslar: vcpu put + load");
    }

    public static Ctx read_constant(Ctx c) => Read(c, OSLSR_EL1.KvmReset.Encode());

    public static Ctx read_stored(Ctx c) => Read(c, c.S.OSLSR_EL1.Encode());

    private static Ctx Read(Ctx c, ulong v) => c.With(s => s with { X0 = v }).Emit(new GuestRegRead(SysReg.OSLSR_EL1, v));

    public static Ctx reject_enoent(Ctx c) => c.Emit(((SetOneReg)c.Input!) with { Error = Errno.ENOENT });

    public static Ctx reject_einval(Ctx c) => c.Emit(((SetOneReg)c.Input!) with { Error = Errno.EINVAL });

    public static Ctx accept(Ctx c) => c.Emit(c.Input!);
}
