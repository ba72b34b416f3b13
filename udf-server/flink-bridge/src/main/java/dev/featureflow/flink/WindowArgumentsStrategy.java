package dev.featureflow.flink;

import dev.featureflow.udf.v1.Argument;
import dev.featureflow.udf.v1.FunctionDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.ArgumentCount;
import org.apache.flink.table.types.inference.CallContext;
import org.apache.flink.table.types.inference.ConstantArgumentCount;
import org.apache.flink.table.types.inference.InputTypeStrategy;
import org.apache.flink.table.types.inference.Signature;

/**
 * Which SQL arguments a window function accepts, derived from its Describe entry. Arguments are
 * taken as they come, without casts, as long as each fits its protocol type (see
 * {@link FlinkTypes#mismatch}): {@code ARRAY_AGG(ROW(amount, merchant_id, ...))} yields a row of
 * generated field names (EXPR$0...) and nullable types, which match by position.
 */
final class WindowArgumentsStrategy implements InputTypeStrategy {
  private final FunctionDescriptor function;

  WindowArgumentsStrategy(FunctionDescriptor function) {
    this.function = function;
  }

  @Override
  public ArgumentCount getArgumentCount() {
    return ConstantArgumentCount.of(function.getArgumentsCount());
  }

  @Override
  public Optional<List<DataType>> inferInputTypes(CallContext call, boolean throwOnFailure) {
    List<DataType> actual = call.getArgumentDataTypes();
    for (int i = 0; i < actual.size(); i++) {
      Argument expected = function.getArguments(i);
      String mismatch = FlinkTypes.mismatch(actual.get(i).getLogicalType(), expected.getType());
      if (mismatch != null) {
        return call.fail(
            throwOnFailure,
            "%s: argument %s (%s) is %s. The call is %s",
            function.getName(),
            i + 1,
            expected.getName(),
            mismatch,
            RemoteWindowFunction.signature(function));
      }
    }
    return Optional.of(actual);
  }

  @Override
  public List<Signature> getExpectedSignatures(FunctionDefinition definition) {
    List<Signature.Argument> arguments = new ArrayList<>();
    for (Argument argument : function.getArgumentsList()) {
      arguments.add(
          Signature.Argument.of(
              argument.getName(),
              FlinkTypes.toFlink(argument.getType()).getLogicalType().asSummaryString()));
    }
    return List.of(Signature.of(arguments));
  }
}
