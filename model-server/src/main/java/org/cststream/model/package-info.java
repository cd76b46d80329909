/**
 * The Continuous Spatiotemporal Transformer: model, training, inference and the model server. This
 * package arrives with the model issue; until then the module only fixes the layout.
 */
package org.cststream.model;
