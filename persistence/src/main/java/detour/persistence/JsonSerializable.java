package detour.persistence;

/**
 * Marks what is written to the journal or a snapshot. Bound to Akka's jackson-json serializer in
 * this module's reference.conf, so an auditor can read every row as JSON.
 */
public interface JsonSerializable {}
