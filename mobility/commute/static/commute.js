/* The commute map: street network (or tiles), routes per mode, home and work markers.
   Data comes from <script type="application/json" id="commute-map-data">. */
(function () {
  "use strict";
  var holder = document.getElementById("commute-map");
  var source = document.getElementById("commute-map-data");
  if (!holder || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var COLORS = {walk: "#1b7f3b", bike: "#0b6e99", e_bike: "#6a3d9a", two_wheel_motor: "#b15928",
                car: "#c0392b"};
  var STREETS = {major: {color: "#8a8a8a", weight: 3}, minor: {color: "#b5b5b5", weight: 2},
                 path: {color: "#c9c9c9", weight: 1, dashArray: "2 3"}};
  var b = data.bbox;
  var map = L.map(holder, {scrollWheelZoom: false});
  map.attributionControl.addAttribution(data.attribution);
  map.createPane("streets");
  map.getPane("streets").style.zIndex = 350;
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
  if (data.tile_url) {
    L.tileLayer(data.tile_url, {attribution: data.attribution, maxZoom: 19}).addTo(map);
  } else {
    var url = holder.getAttribute("data-streets-url") + "?bbox=" + b.join(",");
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (geojson) {
        if (!geojson) { return; }
        L.geoJSON(geojson, {
          pane: "streets", interactive: false,
          style: function (feature) { return STREETS[feature.properties["class"]] || STREETS.minor; }
        }).addTo(map);
        holder.setAttribute("data-streets", String(geojson.features.length));
      });
  }
  var overlays = {};
  Object.keys(data.routes).forEach(function (mode) {
    var route = data.routes[mode];
    var line = L.polyline(route.points, {
      color: COLORS[mode] || "#333", weight: 5, opacity: 0.85,
      dashArray: route.feasible ? null : "8 8"
    }).bindTooltip(route.label);
    line.addTo(map);
    overlays[route.label] = line;
  });
  function marker(point, color, label) {
    return L.circleMarker(point, {radius: 9, color: "#ffffff", weight: 3, fillColor: color,
                                  fillOpacity: 1}).bindTooltip(label).addTo(map);
  }
  marker(data.home, "#1d4ed8", data.labels.home + (data.home_label ? " : " + data.home_label : ""));
  marker(data.work, "#111827", data.labels.work + (data.work_label ? " : " + data.work_label : ""));
  if (Object.keys(overlays).length) {
    L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  }
  holder.setAttribute("data-ready", "true");
  window.commuteMap = map;
}());
