package io.nabla.processor.model;

import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.reading.NetworkDeclaration;
import io.nabla.processor.validation.ErrorMessages;
import io.nabla.processor.validation.ValidationReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 3: resolves the names each layer reads and orders the layers so every layer follows its inputs, keeping
 * declaration order where the edges allow. Reports duplicate names, unknown names, cycles, a missing or unused
 * input and anything but exactly one output (a layer no other reads), which then comes last.
 */
public final class GraphOrdering {
  private GraphOrdering() {}

  /** The layers in forward order, or {@code null} with errors in {@code report}. */
  public static List<LayerDeclaration> order(NetworkDeclaration network, ValidationReport report) {
    Map<String, LayerDeclaration> byName = new LinkedHashMap<>();
    for (LayerDeclaration layer : network.layers()) {
      if (byName.putIfAbsent(layer.name(), layer) != null) {
        report.error(ErrorMessages.duplicateLayer(layer.name()), layer.method(), layer.annotation());
      }
    }
    if (!report.isClean()) {
      return null;
    }
    if (network.layers().stream().noneMatch(l -> l.kind() == LayerKind.INPUT)) {
      report.error(ErrorMessages.noInput(network.type().getQualifiedName().toString()), network.type(),
          network.annotation());
      return null;
    }
    if (network.layers().stream().allMatch(l -> l.kind() == LayerKind.INPUT)) {
      report.error(ErrorMessages.noOutput(), network.type(), network.annotation());
      return null;
    }
    for (LayerDeclaration layer : network.layers()) {
      for (var parameter : layer.inputParameters()) {
        String input = parameter.getSimpleName().toString();
        if (input.equals(layer.name())) {
          report.error(ErrorMessages.readsItself(layer.name()), parameter);
        } else if (!byName.containsKey(input)) {
          report.error(ErrorMessages.unknownInput(layer.name(), input, byName.keySet()), parameter);
        }
      }
    }
    if (!report.isClean()) {
      return null;
    }

    List<LayerDeclaration> ordered = topologicalOrder(network.layers(), byName, report);
    if (ordered == null) {
      return null;
    }
    Map<String, Integer> readers = new HashMap<>();
    for (LayerDeclaration layer : ordered) {
      for (String input : layer.inputNames()) {
        readers.merge(input, 1, Integer::sum);
      }
    }
    List<String> sinks = new ArrayList<>();
    for (LayerDeclaration layer : ordered) {
      if (readers.containsKey(layer.name())) {
        continue;
      }
      if (layer.kind() == LayerKind.INPUT) {
        report.error(ErrorMessages.unusedInput(layer.name()), layer.method(), layer.annotation());
      } else {
        sinks.add(layer.name());
      }
    }
    if (!report.isClean()) {
      return null;
    }
    if (sinks.isEmpty()) {
      report.error(ErrorMessages.noOutput(), network.type(), network.annotation());
      return null;
    }
    if (sinks.size() > 1) {
      LayerDeclaration second = byName.get(sinks.get(1));
      report.error(ErrorMessages.severalOutputs(sinks), second.method(), second.annotation());
      return null;
    }
    return ordered;
  }

  /** Kahn's algorithm, always taking the earliest-declared ready layer; reports a cycle by its path. */
  private static List<LayerDeclaration> topologicalOrder(List<LayerDeclaration> layers,
      Map<String, LayerDeclaration> byName, ValidationReport report) {
    List<LayerDeclaration> ordered = new ArrayList<>();
    List<LayerDeclaration> remaining = new ArrayList<>(layers);
    java.util.Set<String> placed = new java.util.HashSet<>();
    while (!remaining.isEmpty()) {
      LayerDeclaration ready = null;
      for (LayerDeclaration layer : remaining) {
        if (placed.containsAll(layer.inputNames())) {
          ready = layer;
          break;
        }
      }
      if (ready == null) {
        List<String> cycle = findCycle(remaining.get(0), byName, placed);
        LayerDeclaration at = byName.get(cycle.get(0));
        report.error(ErrorMessages.cycle(String.join(" -> ", cycle)), at.method(), at.annotation());
        return null;
      }
      ordered.add(ready);
      placed.add(ready.name());
      remaining.remove(ready);
    }
    return ordered;
  }

  /** Follows unplaced inputs from {@code start} until a layer repeats; returns the cycle as "a, b, ..., a". */
  private static List<String> findCycle(LayerDeclaration start, Map<String, LayerDeclaration> byName,
      java.util.Set<String> placed) {
    List<String> path = new ArrayList<>();
    LayerDeclaration current = start;
    while (!path.contains(current.name())) {
      path.add(current.name());
      String next = current.inputNames().stream().filter(n -> !placed.contains(n)).findFirst().orElseThrow();
      current = byName.get(next);
    }
    List<String> cycle = new ArrayList<>(path.subList(path.indexOf(current.name()), path.size()));
    cycle.add(current.name());
    // Written in data-flow order: each layer feeds the next.
    java.util.Collections.reverse(cycle);
    return cycle;
  }
}
